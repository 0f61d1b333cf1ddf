package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Base of the stand-ins served by the JDK's {@link HttpServer} on a free 127.0.0.1 port: counts every
 * request, and apart the writes ({@link #writes()}), answers queued faults (after their delay; see {@link FaultSpec}), then hands the request to {@link #handle(HttpExchange)}.
 */
abstract class HttpStandIn implements StandIn {

    private static final Logger LOG = Logger.getLogger(HttpStandIn.class.getName());

    private final String name;
    private final Faults faults = new Faults();
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private HttpServer server;
    private ExecutorService executor;
    private int port;

    protected HttpStandIn(String name) {
        this.name = name;
    }

    /** Starts listening on a free loopback port. */
    void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " stand-in", e);
        }
        executor = Executors.newCachedThreadPool(Http.daemonThreads("sandbox-" + name));
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
        port = server.getAddress().getPort();
    }

    private void dispatch(HttpExchange exchange) {
        if (isWrite(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath())) {
            writes.incrementAndGet();
        }
        try {
            byte[][] body = new byte[1][];
            OptionalInt fault = faults.onCall(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()), () -> {
                        body[0] = readBody(exchange);
                        return new String(body[0], StandardCharsets.UTF_8);
                    });
            if (body[0] != null) {
                // the body was read to match a fault's filter: the handler reads it again from a buffer
                exchange.setStreams(new ByteArrayInputStream(body[0]), null);
            }
            if (fault.isPresent()) {
                // The request body is drained so that keep-alive connections stay usable.
                exchange.getRequestBody().readAllBytes();
                writeFault(exchange, fault.getAsInt());
            } else {
                handle(exchange);
            }
        } catch (Exception e) {
            if (clientGone(e)) {
                // the client went away mid-answer (a service killed during its call): nobody to answer
                LOG.log(Level.INFO, name + " stand-in could not answer " + exchange.getRequestURI() + ": " + e.getMessage());
                return;
            }
            LOG.log(Level.WARNING, name + " stand-in failed on " + exchange.getRequestURI(), e);
            try {
                Http.sendJson(exchange, 500, Map.of("error", String.valueOf(e)));
            } catch (IOException | RuntimeException ignored) {
                // headers may already be sent
            }
        } finally {
            exchange.close();
        }
    }

    /** A write to a connection the client closed: broken pipe or reset. */
    private static boolean clientGone(Exception e) {
        String message = e instanceof IOException && e.getMessage() != null ? e.getMessage() : "";
        return message.contains("Broken pipe") || message.contains("Connection reset");
    }

    private static byte[] readBody(HttpExchange exchange) {
        try {
            return exchange.getRequestBody().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves one request that is not an injected fault. */
    protected abstract void handle(HttpExchange exchange) throws Exception;

    /** Writes an injected failure in the shape the real service uses for errors. */
    protected void writeFault(HttpExchange exchange, int status) throws IOException {
        Http.sendJson(exchange, status, Map.of("error", "injected fault", "status", status));
    }

    int port() {
        return port;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public long calls() {
        return faults.calls();
    }

    @Override
    public void resetCalls() {
        faults.resetCalls();
        writes.set(0);
    }

    /**
     * Requests that may change something: any method but GET, HEAD and OPTIONS, except a git fetch (a POST to
     * {@code git-upload-pack} only reads). Counted since the start or the last {@link #resetCalls()}.
     */
    @Override
    public long writes() {
        return writes.get();
    }

    static boolean isWrite(String method, String path) {
        return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")
                || path != null && path.endsWith("/git-upload-pack"));
    }

    @Override
    public void inject(FaultSpec fault) {
        faults.add(fault);
    }

    @Override
    public void clearFaults() {
        faults.clear();
    }

    @Override
    public int pendingFaults() {
        return faults.pending();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
