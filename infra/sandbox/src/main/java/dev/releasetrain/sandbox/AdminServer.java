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
 *   <li>{@code POST /admin/faults/{standin}?count=N&status=S}: the stand-in fails its next N calls with
 *       HTTP status S (defaults: count 1, status 500);</li>
 *   <li>{@code DELETE /admin/faults} (all) or {@code DELETE /admin/faults/{standin}}: drop queued faults;</li>
 *   <li>{@code GET /admin/calls/{standin}}: {@code {"standin":..,"calls":N,"pendingFaults":M}};</li>
 *   <li>{@code POST /admin/images/{namespace}/{repository}/{tag}[?digest=...]}: publish an image tag now;</li>
 *   <li>{@code POST /admin/kubernetes/never-ready?image=FRAGMENT} / {@code DELETE}: pods of matching images
 *       never get ready (a rollout that fails) / all get ready again;</li>
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
                // POST /admin/images/{namespace}/{repository}/{tag}[?digest=sha256:...]: publish a tag now
                Optional<StandIn> registry = sandbox.standIn(Sandbox.REGISTRY);
                if (registry.isEmpty()) {
                    Http.sendJson(exchange, 404, Map.of("error", "no image registry stand-in"));
                    return;
                }
                String repository = parts[3] + "/" + parts[4];
                String digest = Http.query(exchange).getOrDefault("digest", Images.digest(repository, parts[5]));
                RegistryStandIn.Tag tag = ((RegistryStandIn) registry.get()).push(repository, parts[5], digest);
                Http.sendJson(exchange, 200, Map.of("repository", repository, "tag", tag.name(), "digest", tag.digest()));
                return;
            }
            if (resource.equals("github") && method.equals("POST") && parts.length == 8 && parts[5].equals("pulls")
                    && parts[7].equals("approve")) {
                String reviewer = Http.query(exchange).getOrDefault("reviewer", "marketing-reviewer");
                try {
                    GitHubHostedRepositories.Review review = sandbox.approvePullRequest(parts[3] + "/" + parts[4],
                            Integer.parseInt(parts[6]), reviewer);
                    Http.sendJson(exchange, 200, Map.of("id", review.id(), "user", review.user(), "state", review.state()));
                } catch (IllegalArgumentException e) {
                    Http.sendJson(exchange, 404, Map.of("error", String.valueOf(e.getMessage())));
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
                sandbox.clearFaults();
                Http.sendJson(exchange, 200, Map.of("cleared", true));
                return;
            }
            if (name == null || !(resource.equals("faults") || resource.equals("calls"))) {
                Http.sendJson(exchange, 404, Map.of("error", "unknown admin resource"));
                return;
            }
            StandIn standIn = sandbox.standIn(name).orElse(null);
            if (standIn == null) {
                Http.sendJson(exchange, 404, Map.of("error", "unknown stand-in: " + name,
                        "standins", sandbox.standInNames()));
                return;
            }
            if (resource.equals("faults") && method.equals("POST")) {
                Map<String, String> q = Http.query(exchange);
                int count;
                int status;
                try {
                    count = Integer.parseInt(q.getOrDefault("count", "1"));
                    status = Integer.parseInt(q.getOrDefault("status", "500"));
                    standIn.failNext(count, status);
                } catch (IllegalArgumentException e) {
                    Http.sendJson(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
                    return;
                }
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

    private static Map<String, Object> describe(StandIn standIn) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("standin", standIn.name());
        m.put("url", standIn.url());
        m.put("calls", standIn.calls());
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
