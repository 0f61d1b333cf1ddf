package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.releasetrain.coordinator.api.ReleaseApiTest.startNext;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live streams use bounded resources: a caller may hold {@code release-train.live.max-streams-per-caller}
 * streams at once, every one of them served (its first event arrives) by the fixed reader threads; one more
 * is refused with 429 in JSON naming the limit, while another caller is still served; a stream closed by its
 * client frees its slot.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class EventStreamLimitTest {
    @TestHTTPResource("/")
    URL base;
    @ConfigProperty(name = "release-train.live.max-streams-per-caller", defaultValue = "20")
    int maxPerCaller;
    @ConfigProperty(name = "release-train.live.reader-threads", defaultValue = "4")
    int readerThreads;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<InputStream> open(String version, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "releases/" + version + "/events"))
                .header("Authorization", TestTokens.bearer(token)).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(20)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads the stream until its first event's data line. */
    private static String firstData(InputStream body) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("data:")) {
                return line;
            }
        }
        return null;
    }

    @Test
    void aCallerOverTheCapIsRefusedWith429AndAClosedStreamFreesItsSlot() throws Exception {
        String version = startNext("proving", "alice");
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < maxPerCaller; i++) {
                HttpResponse<InputStream> r = open(version, TestTokens.VERA);
                assertEquals(200, r.statusCode(), "stream " + (i + 1) + " of " + maxPerCaller);
                open.add(r.body());
                assertTrue(firstData(r.body()).contains("\"seq\":1"), "stream " + (i + 1) + " replays from the first event");
            }
            long readers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sse-reader")).count();
            assertTrue(readers <= readerThreads, readers + " reader threads for " + maxPerCaller + " streams");

            HttpResponse<InputStream> refused = open(version, TestTokens.VERA);
            assertEquals(429, refused.statusCode());
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode error = new ObjectMapper().readTree(refused.body());
            assertEquals(429, error.path("status").asInt());
            assertTrue(error.path("message").asText().contains("release-train.live.max-streams-per-caller"), error.toString());

            HttpResponse<InputStream> other = open(version, TestTokens.BOB);
            assertEquals(200, other.statusCode(), "the cap is per caller");
            other.body().close();

            open.remove(0).close();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<InputStream> r = open(version, TestTokens.VERA);
                if (r.statusCode() == 200) {
                    open.add(r.body());
                    return true;
                }
                r.body().close();
                return false;
            });
        } finally {
            for (InputStream s : open) {
                s.close();
            }
        }
    }
}
