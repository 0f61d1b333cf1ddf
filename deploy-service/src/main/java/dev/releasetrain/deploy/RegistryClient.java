package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.worker.StepFailure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads image tags from the registry's tag API (Docker Hub's shape:
 * {@code GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}}, 200 with {@code digest} and
 * per-architecture {@code images[].digest}, 404 while the tag does not exist), with the JDK HttpClient.
 */
@ApplicationScoped
public class RegistryClient {

    /** One published tag. */
    public record TagInfo(String name, String digest, String lastUpdated) {
    }

    /** The registry could not answer now (network, 429, 5xx): worth asking again later. */
    public static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "release-train.registry.url", defaultValue = "https://hub.docker.com")
    String url;

    @ConfigProperty(name = "release-train.registry.namespace", defaultValue = "posthog")
    String namespace;

    @ConfigProperty(name = "release-train.registry.repository", defaultValue = "posthog")
    String repository;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    /** {@code namespace/repository}, e.g. {@code posthog/posthog}. */
    public String image() {
        return namespace + "/" + repository;
    }

    /**
     * The tag, or empty while it does not exist.
     *
     * @throws Unavailable for a network error, 429 or 5xx
     * @throws StepFailure (not retryable) for an answer a person must fix (401, 403, an unexpected status)
     */
    public Optional<TagInfo> tag(String tag) throws Unavailable, InterruptedException {
        Optional<JsonNode> node = get("/tags/" + enc(tag), image() + ":" + tag);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(info(node.get(), tag));
    }

    /**
     * The most recently pushed tags, newest first (one page of {@code pageSize}, at most 100: Docker Hub's
     * {@code GET .../tags?page_size=}).
     */
    public List<TagInfo> recentTags(int pageSize) throws Unavailable, InterruptedException {
        Optional<JsonNode> node = get("/tags?page_size=" + Math.min(100, pageSize), "the tags of " + image());
        List<TagInfo> out = new ArrayList<>();
        if (node.isPresent()) {
            for (JsonNode result : node.get().path("results")) {
                try {
                    out.add(info(result, result.path("name").asText("")));
                } catch (Unavailable e) {
                    // a tag listed before its digest: not one to compare with yet
                }
            }
        }
        return out;
    }

    private Optional<JsonNode> get(String path, String what) throws Unavailable, InterruptedException {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI uri = URI.create(base + "/v2/namespaces/" + enc(namespace) + "/repositories/" + enc(repository) + path);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unavailable("image registry " + base + " unreachable: " + e, e);
        }
        int status = response.statusCode();
        if (status == 404) {
            return Optional.empty();
        }
        if (status == 429 || status >= 500) {
            throw new Unavailable("image registry answered HTTP " + status + " for " + what, null);
        }
        if (status != 200) {
            throw new StepFailure("image registry answered HTTP " + status + " for " + what + ": "
                    + abbreviate(response.body()), false);
        }
        try {
            return Optional.of(JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new Unavailable("image registry sent an unreadable answer for " + what + ": " + e, e);
        }
    }

    private TagInfo info(JsonNode node, String tag) throws Unavailable {
        String digest = node.path("digest").asText("");
        if (digest.isEmpty()) {
            for (JsonNode image : node.path("images")) {
                if ("amd64".equals(image.path("architecture").asText()) || digest.isEmpty()) {
                    digest = image.path("digest").asText("");
                }
            }
        }
        if (digest.isEmpty()) {
            throw new Unavailable("image registry lists " + image() + ":" + tag + " without a digest yet", null);
        }
        return new TagInfo(node.path("name").asText(tag), digest, node.path("last_updated").asText(null));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
