package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Admin endpoint of the sandbox:
 * <ul>
 *   <li>{@code POST /admin/faults/{standin}?count=N&status=S&delayMs=D&method=M&path=P&pathContains=C&body=B}:
 *       the stand-in's next N calls matching the filters (method, path prefix, path substring, body substring) are
 *       delayed by D ms, then fail with HTTP status S (defaults: count 1, status 500, or no failure when only
 *       delayMs is given); a bad value or unknown parameter answers 400 naming it (see docs/sandbox.md);</li>
 *   <li>{@code DELETE /admin/faults} (all) or {@code DELETE /admin/faults/{standin}}: drop queued faults;</li>
 *   <li>{@code GET /admin/calls/{standin}}: {@code {"standin":..,"calls":N,"writes":W,"pendingFaults":M}} (writes: the calls
 *       that may have changed something, {@link StandIn#writes()});</li>
 *   <li>{@code POST /admin/images/{namespace}/{repository}/{tag}[?digest=...][&commit=REV]}: publish an image tag
 *       now, built from revision REV of the {@code posthog} remote (a commit id, branch or tag; the playground
 *       reports {@code posthog/version.py} of it) or of unknown source;</li>
 *   <li>{@code POST /admin/kubernetes/never-ready?image=FRAGMENT} / {@code DELETE}: pods of matching images
 *       never get ready (a rollout that fails) / all get ready again;</li>
 *   <li>{@code POST /admin/cloudfront/invalidation-delay?ms=N}: new invalidations stay InProgress N ms;</li>
 *   <li>{@code GET /admin/endpoints}: the sandbox's endpoints (same keys as {@link Sandbox#properties()}).</li>
 *   <li>{@code POST /admin/github/{owner}/{repo}/pulls/{n}/approve?reviewer=login}: a review approving a pull
 *       request of a hosted repository (the website), as the reviewer would.</li>
 * </ul>
 * Unknown stand-in names answer 404.
 */
final class AdminServer implements AutoCloseable {

    private final Sandbox sandbox;
    private HttpServer server;
    private ExecutorService executor;
    private int port;

    AdminServer(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newCachedThreadPool(Http.daemonThreads("sandbox-admin"));
        server.setExecutor(executor);
        server.createContext("/admin/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            String[] parts = exchange.getRequestURI().getPath().replaceAll("/+$", "").split("/");
            // parts: "", "admin", resource, [standin]
            String method = exchange.getRequestMethod();
            String resource = parts.length > 2 ? parts[2] : "";
            String name = parts.length > 3 ? parts[3] : null;
            if (resource.equals("endpoints") && method.equals("GET")) {
                Http.sendJson(exchange, 200, sandbox.properties());
                return;
            }
            if (resource.equals("images") && method.equals("POST") && parts.length == 6) {
                // POST /admin/images/{namespace}/{repository}/{tag}[?digest=sha256:...][&commit=REV]: publish a tag now
                Optional<StandIn> registry = sandbox.standIns().get(Sandbox.REGISTRY);
                if (registry.isEmpty()) {
                    Http.sendJson(exchange, 404, Map.of("error", "no image registry stand-in"));
                    return;
                }
                String repository = parts[3] + "/" + parts[4];
                Map<String, String> query = Http.query(exchange);
                String commit = null;
                if (query.get("commit") != null) {
                    try {
                        commit = AppSource.resolve(sandbox.git().path(GitFixtures.POSTHOG), query.get("commit"));
                    } catch (IllegalArgumentException e) {
                        Http.sendJson(exchange, 400, Map.of("error", "commit: " + e.getMessage()));
                        return;
                    }
                }
                String digest = query.getOrDefault("digest", commit == null ? Images.digest(repository, parts[5])
                        : Images.built(repository, parts[5], commit));
                RegistryStandIn.Tag tag = ((RegistryStandIn) registry.get()).push(repository, parts[5], digest, commit);
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("repository", repository);
                answer.put("tag", tag.name());
                answer.put("digest", tag.digest());
                answer.put("commit", tag.commit());
                Http.sendJson(exchange, 200, answer);
                return;
            }
            if (resource.equals("github") && method.equals("POST") && parts.length == 8 && parts[5].equals("pulls")
                    && parts[7].equals("approve")) {
                String reviewer = Http.query(exchange).getOrDefault("reviewer", "marketing-reviewer");
                try {
                    GitHubHostedRepositories.Review review = sandbox.github().hosted().approve(parts[3] + "/" + parts[4],
                            Integer.parseInt(parts[6]), reviewer);
                    Http.sendJson(exchange, 200, Map.of("id", review.id(), "user", review.user(), "state", review.state()));
                } catch (IllegalArgumentException e) {
                    Http.sendJson(exchange, 404, Map.of("error", String.valueOf(e.getMessage())));
                }
                return;
            }
            if (resource.equals("cloudfront") && "invalidation-delay".equals(name) && method.equals("POST")) {
                // POST /admin/cloudfront/invalidation-delay?ms=N: new invalidations stay InProgress N ms
                try {
                    long ms = Long.parseLong(Http.query(exchange).getOrDefault("ms", ""));
                    if (ms < 0) {
                        throw new NumberFormatException("negative");
                    }
                    sandbox.cloudFront().invalidationDelay(java.time.Duration.ofMillis(ms));
                    Http.sendJson(exchange, 200, Map.of("invalidationDelayMs", ms));
                } catch (NumberFormatException e) {
                    Http.sendJson(exchange, 400, Map.of("error", "ms: a number of milliseconds, 0 or more"));
                }
                return;
            }
            if (resource.equals("kubernetes") && "never-ready".equals(name)) {
                // POST /admin/kubernetes/never-ready?image=release-1.29.0-unstable: rollouts to it never get ready
                // DELETE /admin/kubernetes/never-ready: every image gets ready again
                String image = Http.query(exchange).get("image");
                if (method.equals("POST") && image != null && !image.isBlank()) {
                    sandbox.kubernetes().neverReady(image);
                } else if (method.equals("DELETE")) {
                    sandbox.kubernetes().clearNeverReady();
                } else {
                    Http.sendJson(exchange, 400, Map.of("error", "POST ?image=<fragment> or DELETE"));
                    return;
                }
                Http.sendJson(exchange, 200, Map.of("neverReady", image == null ? "" : image, "method", method));
                return;
            }
            if (resource.equals("faults") && method.equals("DELETE") && name == null) {
                sandbox.standIns().clearFaults();
                Http.sendJson(exchange, 200, Map.of("cleared", true));
                return;
            }
            if (name == null || !(resource.equals("faults") || resource.equals("calls"))) {
                Http.sendJson(exchange, 404, Map.of("error", "unknown admin resource"));
                return;
            }
            StandIn standIn = sandbox.standIns().get(name).orElse(null);
            if (standIn == null) {
                Http.sendJson(exchange, 404, Map.of("error", "unknown stand-in: " + name,
                        "standins", sandbox.standIns().names()));
                return;
            }
            if (resource.equals("faults") && method.equals("POST")) {
                FaultSpec fault;
                try {
                    fault = faultSpec(Http.query(exchange));
                } catch (IllegalArgumentException e) {
                    Http.sendJson(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
                    return;
                }
                standIn.inject(fault);
                Http.sendJson(exchange, 200, describe(standIn));
            } else if (resource.equals("faults") && method.equals("DELETE")) {
                standIn.clearFaults();
                Http.sendJson(exchange, 200, describe(standIn));
            } else if (resource.equals("calls") && method.equals("GET")) {
                Http.sendJson(exchange, 200, describe(standIn));
            } else if (resource.equals("calls") && method.equals("DELETE")) {
                standIn.resetCalls();
                Http.sendJson(exchange, 200, describe(standIn));
            } else {
                Http.sendJson(exchange, 405, Map.of("error", "method not allowed"));
            }
        } finally {
            exchange.close();
        }
    }

    static final java.util.Set<String> FAULT_PARAMETERS = java.util.Set.of(
            "count", "status", "delayMs", "method", "path", "pathContains", "body");

    /**
     * The fault of {@code POST /admin/faults/{standin}}'s query: count (1), status (500, or none when only
     * delayMs is given), delayMs (0), method, path (prefix), pathContains, body (substring). A wrong value
     * or an unknown parameter is an IllegalArgumentException naming the parameter.
     */
    static FaultSpec faultSpec(Map<String, String> q) {
        for (String key : q.keySet()) {
            if (!FAULT_PARAMETERS.contains(key)) {
                throw new IllegalArgumentException("unknown parameter '" + key + "'; known: "
                        + new java.util.TreeSet<>(FAULT_PARAMETERS));
            }
        }
        int count = integer(q, "count", 1);
        long delayMs = integer(q, "delayMs", 0);
        int status = integer(q, "status", q.containsKey("delayMs") ? 0 : 500);
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        if (q.containsKey("status") && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP status (100-599): " + status);
        }
        if (delayMs < 0 || delayMs > 600_000) {
            throw new IllegalArgumentException("delayMs must be between 0 and 600000: " + delayMs);
        }
        String method = q.get("method");
        if (method != null && !method.matches("[A-Za-z]+")) {
            throw new IllegalArgumentException("method must be an HTTP method such as GET or POST: " + method);
        }
        String path = q.get("path");
        if (path != null && !path.startsWith("/")) {
            throw new IllegalArgumentException("path must be a path prefix starting with '/': " + path);
        }
        try {
            return new FaultSpec(count, status, delayMs, method, path, q.get("pathContains"), q.get("body"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static int integer(Map<String, String> q, String name, int fallback) {
        String v = q.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: '" + v + "'");
        }
    }

    private static Map<String, Object> describe(StandIn standIn) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("standin", standIn.name());
        m.put("url", standIn.url());
        m.put("calls", standIn.calls());
        m.put("writes", standIn.writes());
        m.put("pendingFaults", standIn.pendingFaults());
        return m;
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
