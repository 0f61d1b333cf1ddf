package dev.releasetrain.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helm's release records: the encoding round trip, Jobs of a manifest, the chart a rollback installs, what a
 * revision's status and time say, and values compared as data.
 */
class HelmReleasesTest {

    static final String MANIFEST = """
            ---
            # Source: posthog/templates/deployments.yaml
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: posthog-web
            ---
            # Source: posthog/templates/migrate-job.yaml
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: posthog-migrate-3
            """;

    static ObjectNode release() throws Exception {
        return (ObjectNode) new ObjectMapper().readTree("""
                {"name":"posthog","version":3,"namespace":"posthog",
                 "info":{"status":"deployed","last_deployed":"2026-11-26T10:00:00.123456789Z"},
                 "chart":{"metadata":{"name":"posthog","version":"29.0.11","appVersion":"1.28.3","apiVersion":"v2",
                   "dependencies":[{"name":"redis","version":"1.0.0"}]},"values":{"image":{"tag":null}}},
                 "config":{"web":{"replicacount":1,"env":[{"name":"SKIP","value":"1"}]},"flag":"true"},
                 "manifest":%s}
                """.formatted(new ObjectMapper().writeValueAsString(MANIFEST)));
    }

    @Test
    void encodingRoundTripsThroughSecretDataAsHelmWritesIt() throws Exception {
        ObjectNode release = release();
        assertEquals(release, HelmReleases.decode(HelmReleases.encode(release)));
    }

    @Test
    void theJobsOfAManifestAreFound() {
        assertEquals(List.of("posthog-migrate-3"), HelmReleases.jobNames(MANIFEST));
    }

    @Test
    void theRollbackChartRendersTheStoredManifestAndKeepsStringValuesStrings(@TempDir Path dir) throws Exception {
        HelmReleases.Stored stored = new HelmReleases.Stored(3, "deployed", release(), null);
        HelmReleases.rollbackChart(stored, dir);
        String chartYaml = Files.readString(dir.resolve("Chart.yaml"));
        assertTrue(chartYaml.contains("name: \"posthog\"") && chartYaml.contains("version: \"29.0.11\""), chartYaml);
        assertFalse(chartYaml.contains("redis"), chartYaml);
        assertEquals(MANIFEST, Files.readString(dir.resolve("release-train/rollback-manifest.yaml")));
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(HelmReleases.configYaml(stored));
        assertTrue(HelmReleases.sameValues(config, stored.config()), config.toString());
        assertTrue(config.path("web").path("env").path(0).path("value").isTextual());
        assertTrue(config.path("flag").isTextual());
    }

    @Test
    void aRevisionsStatusAndStartTimeAreRead() throws Exception {
        HelmReleases.Stored deployed = new HelmReleases.Stored(3, "deployed", release(), null);
        assertTrue(deployed.succeeded());
        assertFalse(deployed.pending());
        assertEquals(java.time.Instant.parse("2026-11-26T10:00:00.123456789Z"), deployed.lastDeployed());
        ObjectNode unreadable = release();
        ((ObjectNode) unreadable.get("info")).put("last_deployed", "yesterday");
        HelmReleases.Stored pending = new HelmReleases.Stored(4, "pending-upgrade", unreadable, null);
        assertTrue(pending.pending());
        assertFalse(pending.succeeded());
        assertEquals(java.time.Instant.EPOCH, pending.lastDeployed()); // unreadable: taken as old
        assertTrue(new HelmReleases.Stored(2, "superseded", release(), null).succeeded());
    }

    @Test
    void valuesAreComparedAsDataWithNumbersByValue() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode given = yaml.readTree("web: {replicacount: 2, env: [{name: A, value: \"1\"}]}\nflag: true\n");
        JsonNode stored = new ObjectMapper().readTree("{\"flag\":true,\"web\":{\"env\":[{\"value\":\"1\",\"name\":\"A\"}],"
                + "\"replicacount\":2.0}}");
        assertTrue(HelmReleases.sameValues(given, stored));
        assertFalse(HelmReleases.sameValues(given, yaml.readTree("web: {replicacount: 3, env: [{name: A, value: \"1\"}]}\nflag: true\n")));
        assertFalse(HelmReleases.sameValues(given, yaml.readTree("web: {replicacount: 2, env: [{name: A, value: \"1\"}]}\n")));
        assertTrue(HelmReleases.sameValues(null, yaml.readTree("{}")));
    }
}
