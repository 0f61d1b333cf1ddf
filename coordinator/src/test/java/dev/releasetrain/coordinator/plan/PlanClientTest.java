package dev.releasetrain.coordinator.plan;

import com.sun.net.httpserver.HttpServer;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the coordinator asks a service's {@code POST /plan}: with the plan token as a bearer token, and when there is
 * no answer to use (no address, nobody listening, no answer in time, an error status), why, without the token.
 */
class PlanClientTest {
    static final String TOKEN = "plan-token-0123456789abcdef";
    final List<AutoCloseable> open = new ArrayList<>();
    final List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    PlanClient client(Map<String, String> addresses, Duration timeout) {
        PlanClient c = new PlanClient();
        c.config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(addresses, "test", 100)).build();
        c.token = Optional.of(TOKEN);
        c.timeout = timeout;
        return c;
    }

    static final List<PlanClient.Step> STEPS = List.of(new PlanClient.Step("cdn.invalidate", "cdn.invalidate", Map.of("paths", "/*")));

    /** A service's address answering {@code status} with {@code body}; the request's Authorization header goes to {@code seen}. */
    String service(int status, String body, AtomicReference<String> seen) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/plan", exchange -> {
            seen.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        open.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Test
    void theTokenGoesAsABearerTokenAndTheAnswersStepsComeBack() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        String url = service(200, "{\"steps\": [{\"step\": \"cdn.invalidate\", \"planned\": true}]}", seen);

        PlanClient.Answer answer = client(Map.of("release-train.plan.services.cdn", url), Duration.ofSeconds(10))
                .plan("cdn", STEPS).join();

        assertNull(answer.unavailable());
        assertEquals("cdn.invalidate", answer.steps().get(0).path("step").asText());
        assertEquals("Bearer " + TOKEN, seen.get());
    }

    @Test
    void aRefusalSaysWhatTheServiceAnsweredWithoutTheToken() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        String url = service(401, "{\"status\": 401, \"message\": \"the bearer token of POST /plan is not this service's release-train.plan.token\"}", seen);

        PlanClient.Answer answer = client(Map.of("release-train.plan.services.cdn", url), Duration.ofSeconds(10))
                .plan("cdn", STEPS).join();

        assertNull(answer.steps());
        assertEquals("the cdn service answered 401 at " + url.replaceAll("/$", "") + "/plan: the bearer token of POST /plan is "
                + "not this service's release-train.plan.token", answer.unavailable());
        assertFalse(answer.unavailable().contains(TOKEN));
    }

    @Test
    void noAddressNobodyListeningOrNoAnswerInTimeEachSayWhy() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(silent);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept()); // accepts, reads nothing, never answers
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        PlanClient client = client(Map.of(
                "release-train.plan.services.deploy", "http://127.0.0.1:" + closedPort,
                "release-train.plan.services.notify", "http://127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(500));

        var git = client.plan("git", STEPS);
        var deploy = client.plan("deploy", STEPS);
        var notify = client.plan("notify", STEPS);

        assertEquals("release-train.plan.services.git (the git service's address) is not set", git.join().unavailable());
        assertTrue(deploy.join().unavailable().startsWith("the deploy service at http://127.0.0.1:" + closedPort
                + "/plan could not be reached: "), deploy.join().unavailable());
        assertEquals("the notify service at http://127.0.0.1:" + silent.getLocalPort() + "/plan did not answer within 500 ms",
                notify.join().unavailable());
    }
}
