package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The deployed PostHog app of the playground: {@code GET /api/instance_status} (personal API key as
 * {@code Authorization: Bearer ...}, else 401) answers {@code results.overview}, a list of metrics, whose
 * {@code posthog_version} is what the running code says, as the real app does: the image the {@code posthog-web}
 * pods run in the Kubernetes stand-in (their {@code imageID}'s digest) is resolved to the commit the sandbox's CI
 * built it from (the registry's record), and the version is {@code posthog/version.py} of the app remote at that
 * commit. So a release branch pushed without its version bump reports the old version whatever its image tag
 * says, a stale deployment reports the old version, and an image of unknown source reports {@code unknown}.
 */
public final class PlaygroundStandIn extends HttpStandIn {

    /** What the playground reports when it cannot tell (no deployment, an image of unknown source). */
    public static final String UNKNOWN = "unknown";

    private final String apiKey;
    private final Supplier<Optional<String>> servingImage;
    private final Function<String, Optional<String>> sourceCommit;
    private final Function<String, Optional<String>> versionAt;

    /**
     * @param servingImage the image the web pods serve ({@code repository@digest}, or a {@code repository:tag})
     * @param sourceCommit the commit an image was built from
     * @param versionAt    {@code posthog/version.py}'s version at a commit
     */
    PlaygroundStandIn(String apiKey, Supplier<Optional<String>> servingImage, Function<String, Optional<String>> sourceCommit,
                      Function<String, Optional<String>> versionAt) {
        super("playground");
        this.apiKey = apiKey;
        this.servingImage = servingImage;
        this.sourceCommit = sourceCommit;
        this.versionAt = versionAt;
    }

    public String apiKey() {
        return apiKey;
    }

    /** The commit the deployed app was built from, if known. */
    public Optional<String> deployedCommit() {
        return servingImage.get().flatMap(sourceCommit);
    }

    /** The version the playground reports now: {@code posthog/version.py} at the deployed commit ({@link #UNKNOWN} if none). */
    public String reportedVersion() {
        return deployedCommit().flatMap(versionAt).orElse(UNKNOWN);
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
