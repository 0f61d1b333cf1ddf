package dev.releasetrain.sandbox;

import com.marcnuri.helm.Helm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox chart repository answers as a Helm repository does, and real Helm reads the package it serves. */
class ChartRepositoryContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void theIndexNamesThePackageWithItsDigestAndHelmRendersTheChartFromTheRepository() throws Exception {
        HttpResponse<String> index = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.chartRepository().repositoryUrl() + "index.yaml"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("  posthog:\n"), index.body());
        assertTrue(index.body().contains("version: 29.0.11"), index.body());
        assertTrue(index.body().contains("- posthog-29.0.11.tgz"), index.body());

        HttpResponse<byte[]> tgz = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.chartRepository().repositoryUrl()
                + "posthog-29.0.11.tgz")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, tgz.statusCode());
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tgz.body()));
        assertTrue(index.body().contains("digest: " + digest), index.body());

        String chart = Helm.show(sandbox.chartRepository().repositoryUrl() + "posthog-29.0.11.tgz").chart().call();
        assertTrue(chart.contains("name: posthog") && chart.contains("version: 29.0.11"), chart);
        String manifest = Helm.template(sandbox.chartRepository().repositoryUrl() + "posthog-29.0.11.tgz").withName("posthog")
                .withNamespace("posthog").call();
        assertTrue(manifest.contains("kind: Deployment") && manifest.contains("name: posthog-migrate-1"), manifest);

        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.chartRepository().repositoryUrl()
                + "posthog-1.0.0.tgz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }
}
