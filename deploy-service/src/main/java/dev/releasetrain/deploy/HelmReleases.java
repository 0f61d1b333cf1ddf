package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Helm's release records, read and written where Helm keeps them (its default {@code secret} storage driver):
 * Secrets {@code sh.helm.release.v1.NAME.vN} labelled {@code owner=helm,name=NAME}, whose {@code release} key
 * holds the release as base64 of gzipped JSON. helm-java 0.0.21 has no rollback command; this is what
 * {@link AtomicHelmUpgrade} needs instead: a revision's chart metadata, values and rendered manifest (to roll back
 * to it), marking an interrupted or failed revision {@code failed}, the Jobs a revision's manifest creates, and
 * whether a revision already has the values asked for.
 */
final class HelmReleases {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Every string quoted: a value like {@code "1"} or {@code "true"} must stay a string. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
    private static final String MANIFEST_FILE = "release-train/rollback-manifest.yaml";

    /** One stored revision. */
    record Stored(int version, String status, ObjectNode release, Secret secret) {

        String chartName() {
            JsonNode meta = release.path("chart").path("metadata");
            return meta.path("name").asText() + "-" + meta.path("version").asText();
        }

        String manifest() {
            return release.path("manifest").asText("");
        }

        JsonNode config() {
            return release.path("config");
        }

        /** Deployed once: {@code deployed}, or {@code superseded} by a later revision. */
        boolean succeeded() {
            return "deployed".equals(status) || "superseded".equals(status);
        }

        /** {@code pending-install}, {@code pending-upgrade} or {@code pending-rollback}: an operation is (or was) under way. */
        boolean pending() {
            return status.startsWith("pending-");
        }

        /** When Helm last started an operation on this revision (the epoch when unreadable: taken as old). */
        Instant lastDeployed() {
            try {
                return OffsetDateTime.parse(release.path("info").path("last_deployed").asText("")).toInstant();
            } catch (DateTimeParseException e) {
                return Instant.EPOCH;
            }
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    HelmReleases(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    /** Every stored revision, oldest first. */
    List<Stored> history() {
        List<Stored> out = new ArrayList<>();
        for (Secret s : client.secrets().inNamespace(namespace)
                .withLabels(Map.of("owner", "helm", "name", name)).list().getItems()) {
            if (s.getData() == null || !s.getData().containsKey("release")) {
                continue;
            }
            ObjectNode release = decode(s.getData().get("release"));
            out.add(new Stored(release.path("version").asInt(), release.path("info").path("status").asText(), release, s));
        }
        out.sort(Comparator.comparingInt(Stored::version));
        return out;
    }

    Optional<Stored> revision(int version) {
        return history().stream().filter(r -> r.version() == version).findFirst();
    }

    /** Marks a revision {@code failed} (status label and record), with a description saying why. */
    void markFailed(Stored r, String description) {
        ObjectNode release = r.release().deepCopy();
        ObjectNode info = (ObjectNode) release.path("info");
        info.put("status", "failed");
        info.put("description", description);
        Secret secret = client.secrets().inNamespace(namespace).withName(r.secret().getMetadata().getName()).get();
        if (secret == null) {
            return;
        }
        secret.getMetadata().getLabels().put("status", "failed");
        Map<String, String> data = new LinkedHashMap<>(secret.getData());
        data.put("release", encode(release));
        secret.setData(data);
        client.secrets().inNamespace(namespace).resource(secret).update();
    }

    /** The names of the Jobs a revision's rendered manifest creates (hooks are Helm's own to wait for). */
    static List<String> jobNames(String manifest) {
        List<String> names = new ArrayList<>();
        for (String doc : manifest.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            try {
                JsonNode node = YAML.readTree(doc);
                if (node != null && "Job".equals(node.path("kind").asText())) {
                    names.add(node.path("metadata").path("name").asText());
                }
            } catch (IOException e) {
                // not a Kubernetes object (a comment-only document): nothing to wait for
            }
        }
        return names;
    }

    /**
     * Writes a chart that renders exactly {@code target}'s stored manifest (Helm's own rollback re-applies the
     * stored manifest rather than rendering the chart again: the stored chart lacks its subcharts), with the
     * same name, version and appVersion, so that the release reads as that chart again. Hooks are not part of
     * the manifest, so none run.
     */
    static Path rollbackChart(Stored target, Path dir) throws IOException {
        ObjectNode meta = target.release().path("chart").path("metadata").deepCopy();
        meta.remove("dependencies"); // the subcharts are not stored; their objects are in the manifest
        if (!meta.hasNonNull("apiVersion")) {
            meta.put("apiVersion", "v2");
        }
        Files.createDirectories(dir.resolve("templates"));
        Files.createDirectories(dir.resolve(MANIFEST_FILE).getParent());
        Files.writeString(dir.resolve("Chart.yaml"), YAML.writeValueAsString(meta));
        JsonNode values = target.release().path("chart").path("values");
        Files.writeString(dir.resolve("values.yaml"), values.isObject() ? YAML.writeValueAsString(values) : "{}\n");
        Files.writeString(dir.resolve(MANIFEST_FILE), target.manifest());
        Files.writeString(dir.resolve("templates/manifest.yaml"), "{{ .Files.Get \"" + MANIFEST_FILE + "\" }}\n");
        return dir;
    }

    /** A revision's user-supplied values as YAML ({@code {}} for none). */
    static String configYaml(Stored r) throws IOException {
        JsonNode config = r.config();
        return config.isObject() && !config.isEmpty() ? YAML.writeValueAsString(config) : "{}\n";
    }

    /** Same values, numbers compared by value (Helm stores them as floats), key order not significant. */
    static boolean sameValues(JsonNode a, JsonNode b) {
        if (a == null || a.isMissingNode() || a.isNull()) {
            return b == null || b.isMissingNode() || b.isNull() || (b.isObject() && b.isEmpty());
        }
        if (b == null || b.isMissingNode() || b.isNull()) {
            return a.isObject() && a.isEmpty();
        }
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText())) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!b.has(k) || !sameValues(a.get(k), b.get(k))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!sameValues(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** The Secret's {@code release} value (base64 as the API returns it) to Helm's release JSON. */
    static ObjectNode decode(String secretValue) {
        try {
            byte[] helmString = Base64.getDecoder().decode(secretValue);
            byte[] raw = Base64.getDecoder().decode(new String(helmString, StandardCharsets.US_ASCII).strip());
            byte[] json = raw;
            if (raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    json = in.readAllBytes();
                }
            }
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable Helm release record", e);
        }
    }

    /** Helm's release JSON to the Secret's {@code release} value (gzip, base64, then base64 for the API). */
    static String encode(ObjectNode release) {
        try {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(JSON.writeValueAsBytes(release));
            }
            String helmString = Base64.getEncoder().encodeToString(gz.toByteArray());
            return Base64.getEncoder().encodeToString(helmString.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
