package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployed PostHog app of the playground: {@code GET /api/instance_status} (personal API key as
 * {@code Authorization: Bearer ...}, else 401) answers {@code results.overview}, a list of metrics, whose
 * {@code posthog_version} is the version of the image the {@code posthog-web} Deployment runs in the
 * Kubernetes stand-in right now ({@code posthog/posthog:release-1.29.0-unstable} -> {@code 1.29.0}); a stale
 * deployment reports the old version.
 */
public final class PlaygroundStandIn extends HttpStandIn {

    private static final Pattern VERSION = Pattern.compile("release-(\\d+\\.\\d+\\.\\d+)(?:-unstable)?$");

    private final String apiKey;
    private final Supplier<Optional<String>> deployedImage;

    PlaygroundStandIn(String apiKey, Supplier<Optional<String>> deployedImage) {
        super("playground");
        this.apiKey = apiKey;
        this.deployedImage = deployedImage;
    }

    public String apiKey() {
        return apiKey;
    }

    /** The version the playground reports now, from the deployed image's tag ({@code unknown} if none). */
    public String reportedVersion() {
        return deployedImage.get().map(PlaygroundStandIn::versionOf).orElse("unknown");
    }

    static String versionOf(String image) {
        String tag = image.contains("@") ? "" : image.substring(image.lastIndexOf(':') + 1);
        Matcher m = VERSION.matcher(tag);
        return m.find() ? m.group(1) : "unknown";
    }

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/api/instance_status") && !path.equals("/api/instance_status/")) {
            Http.sendJson(exchange, 404, Map.of("type", "invalid_request", "code", "not_found",
                    "detail", "Not found.", "attr", (Object) "null"));
            return;
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + apiKey)) {
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("type", "authentication_error");
            err.put("code", auth == null ? "not_authenticated" : "authentication_failed");
            err.put("detail", auth == null ? "Authentication credentials were not provided."
                    : "Personal API key found in request Authorization header is invalid.");
            err.put("attr", null);
            Http.sendJson(exchange, 401, err);
            return;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            Http.sendJson(exchange, 405, Map.of("detail", "Method not allowed."));
            return;
        }
        List<Map<String, Object>> overview = List.of(
                metric("posthog_version", "PostHog version", reportedVersion()),
                metric("deployment", "Deployment platform", "helm_aws_ha"),
                metric("realm", "Realm", "hosted-clickhouse"),
                metric("clickhouse_version", "ClickHouse version", "21.6.5"),
                metric("ingestion_server", "Ingestion server", "plugin-server"),
                metric("db_alive", "Postgres database alive", true),
                metric("redis_alive", "Redis alive", true));
        Http.sendJson(exchange, 200, Map.of("results", Map.of("overview", overview,
                "internal_metrics", Map.of("clickhouse", Map.of()))));
    }

    private static Map<String, Object> metric(String key, String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("metric", name);
        m.put("value", value);
        return m;
    }
}
