package dev.releasetrain.sandbox;

import com.sun.net.httpserver.HttpExchange;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image registry stand-in speaking Docker Hub's tag API:
 * <ul>
 *   <li>{@code GET /v2/repositories/{namespace}/{repository}/tags/{tag}} and
 *       {@code GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}}: 200 with {@code name},
 *       {@code last_updated}, {@code digest}, {@code images[].digest} (one linux/amd64 image), or 404 while the
 *       tag does not exist;</li>
 *   <li>{@code GET /v2/repositories/{namespace}/{repository}/tags?page_size=&page=}: paged list, newest first.</li>
 * </ul>
 * Tags appear through {@link #push(String, String, String, String)} (the sandbox's CI simulation does it when
 * release branches and tags reach the {@code posthog} repository). The registry also remembers which commit each
 * digest was built from (what an image's {@code org.opencontainers.image.revision} label says; not part of the
 * tag API): the playground stand-in reads the deployed app's version from that commit.
 */
public final class RegistryStandIn extends HttpStandIn {

    private static final Pattern TAG = Pattern.compile(
            "^/v2/(?:repositories/([^/]+)/([^/]+)|namespaces/([^/]+)/repositories/([^/]+))/tags(?:/([^/]+))?/?$");

    /** One tag of a repository; {@code commit} is the commit its image was built from, null when unknown. */
    public record Tag(String repository, String name, String digest, Instant lastUpdated, long id, String commit) {
    }

    private final Map<String, Map<String, Tag>> tags = new LinkedHashMap<>();
    /** digest -> the commit that image was built from (every build so far, also of tags moved since). */
    private final Map<String, String> builtFrom = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong(160_000_000L);

    RegistryStandIn() {
        super("registry");
    }

    /** Publishes (or moves) {@code repository:tag} to {@code digest}, an image of unknown source. */
    public Tag push(String repository, String tag, String digest) {
        return push(repository, tag, digest, null);
    }

    /** Publishes (or moves) {@code repository:tag} to {@code digest}, an image built from {@code commit} (may be null). */
    public synchronized Tag push(String repository, String tag, String digest, String commit) {
        if (commit != null) {
            builtFrom.putIfAbsent(digest, commit);
        }
        Tag t = new Tag(repository, tag, digest, Instant.now().truncatedTo(ChronoUnit.MICROS), ids.incrementAndGet(),
                builtFrom.get(digest));
        tags.computeIfAbsent(repository, k -> new LinkedHashMap<>()).put(tag, t);
        return t;
    }

    /** The commit the image with this digest was built from, if the registry knows it. */
    public synchronized Optional<String> builtFrom(String digest) {
        return Optional.ofNullable(builtFrom.get(digest));
    }

    /** Publishes {@code repository:tag} with the deterministic digest {@link Images#digest}. */
    public Tag push(String repository, String tag) {
        return push(repository, tag, Images.digest(repository, tag));
    }

    /**
     * The commit an image was built from, as the registry recorded it: {@code repository@sha256:...} by its digest,
     * {@code repository:tag} by the tag's current digest.
     */
    public Optional<String> sourceCommit(String image) {
        int at = image.indexOf('@');
        if (at > 0) {
            return builtFrom(image.substring(at + 1));
        }
        int colon = image.lastIndexOf(':');
        if (colon <= image.lastIndexOf('/')) {
            return Optional.empty();
        }
        return tag(image.substring(0, colon), image.substring(colon + 1)).map(Tag::commit);
    }

    /** The current digest of an image reference {@code repository:tag}, if that tag exists. */
    public Optional<String> digest(String image) {
        int colon = image.lastIndexOf(':');
        return colon > 0 ? tag(image.substring(0, colon), image.substring(colon + 1)).map(Tag::digest) : Optional.empty();
    }

    public synchronized Optional<Tag> tag(String repository, String tag) {
        return Optional.ofNullable(tags.getOrDefault(repository, Map.of()).get(tag));
    }

    public synchronized List<Tag> tags(String repository) {
        return List.copyOf(tags.getOrDefault(repository, Map.of()).values());
    }

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        exchange.getResponseHeaders().set("x-docker-transaction-id", UUID.randomUUID().toString());
        Matcher m = TAG.matcher(exchange.getRequestURI().getPath());
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            Http.sendJson(exchange, 405, Map.of("message", "method not allowed"));
            return;
        }
        if (!m.matches()) {
            Http.sendJson(exchange, 404, Map.of("message", "page not found"));
            return;
        }
        String namespace = m.group(1) != null ? m.group(1) : m.group(3);
        String name = m.group(2) != null ? m.group(2) : m.group(4);
        String repository = namespace + "/" + name;
        String tag = m.group(5);
        if (tag != null) {
            Optional<Tag> t = tag(repository, tag);
            if (t.isEmpty()) {
                Map<String, Object> err = new LinkedHashMap<>();
                err.put("message", "httperror 404: tag '" + tag + "' not found");
                err.put("errinfo", Map.of("namespace", namespace, "repository", name, "tag", tag));
                Http.sendJson(exchange, 404, err);
            } else {
                Http.sendJson(exchange, 200, tagJson(t.get()));
            }
            return;
        }
        List<Tag> all;
        synchronized (this) {
            if (!tags.containsKey(repository)) {
                Http.sendJson(exchange, 404, Map.of("message", "object not found", "errinfo",
                        Map.of("namespace", namespace, "repository", name)));
                return;
            }
            all = new ArrayList<>(tags.get(repository).values());
        }
        all.sort(Comparator.comparing(Tag::lastUpdated).reversed());
        Map<String, String> q = Http.query(exchange);
        int pageSize = Math.max(1, Math.min(100, parseInt(q.get("page_size"), 10)));
        int page = Math.max(1, parseInt(q.get("page"), 1));
        int from = Math.min(all.size(), (page - 1) * pageSize);
        int to = Math.min(all.size(), from + pageSize);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Tag t : all.subList(from, to)) {
            results.add(tagJson(t));
        }
        String base = url() + exchange.getRequestURI().getPath() + "?page_size=" + pageSize + "&page=";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", all.size());
        body.put("next", to < all.size() ? base + (page + 1) : null);
        body.put("previous", page > 1 ? base + (page - 1) : null);
        body.put("results", results);
        Http.sendJson(exchange, 200, body);
    }

    private static int parseInt(String s, int dflt) {
        try {
            return s == null ? dflt : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Map<String, Object> tagJson(Tag t) {
        String when = t.lastUpdated().toString();
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("architecture", "amd64");
        image.put("features", "");
        image.put("variant", null);
        image.put("digest", t.digest());
        image.put("os", "linux");
        image.put("os_features", "");
        image.put("os_version", null);
        image.put("size", 412_345_678L);
        image.put("status", "active");
        image.put("last_pulled", when);
        image.put("last_pushed", when);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("creator", 7_654_321);
        m.put("id", t.id());
        m.put("images", List.of(image));
        m.put("last_updated", when);
        m.put("last_updater", 7_654_321);
        m.put("last_updater_username", "posthogbot");
        m.put("name", t.name());
        m.put("repository", 1_234_567);
        m.put("full_size", 412_345_678L);
        m.put("v2", true);
        m.put("tag_status", "active");
        m.put("tag_last_pulled", when);
        m.put("tag_last_pushed", when);
        m.put("media_type", "application/vnd.docker.distribution.manifest.v2+json");
        m.put("content_type", "image");
        m.put("digest", t.digest());
        return m;
    }
}
