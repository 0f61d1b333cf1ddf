package dev.releasetrain.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxLifecycleTest {

    @TempDir
    Path workDir;

    @Test
    void startsOnDistinctLoopbackPortsAndStopsEverything() throws Exception {
        List<String> urls;
        try (Sandbox sandbox = Sandbox.start(workDir)) {
            urls = List.of(sandbox.slack().url(), sandbox.cloudFront().url(), sandbox.kubernetes().url(), sandbox.registry().url(), sandbox.github().url(),
                    sandbox.playground().url(), sandbox.website().url(), sandbox.adminUrl());
            Set<String> distinct = new HashSet<>(urls);
            assertEquals(urls.size(), distinct.size(), urls.toString());
            urls.forEach(u -> assertTrue(u.startsWith("http://127.0.0.1:"), u));
            assertEquals(List.of("slack", "cloudfront", "kubernetes", "charts", "registry", "github", "playground", "website"),
                    sandbox.standIns().names());
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String url : urls) {
            assertThrows(ConnectException.class, () -> send(http, url), url);
        }
    }

    @Test
    void restartOnTheSameWorkDirReseeds() {
        try (Sandbox first = Sandbox.start(workDir)) {
            assertTrue(first.git().path("posthog").startsWith(workDir));
        }
        try (Sandbox second = Sandbox.start(workDir)) {
            assertTrue(second.git().url("posthog").endsWith("/git/posthog.git"));
        }
    }

    private static void send(HttpClient http, String url) throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create(url + "/")).build(), HttpResponse.BodyHandlers.discarding());
    }
}
