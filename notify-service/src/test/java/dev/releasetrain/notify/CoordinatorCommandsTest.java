package dev.releasetrain.notify;

import com.sun.net.httpserver.HttpServer;
import dev.releasetrain.sandbox.SlackStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands the messages give people: their exact text, and what a POSIX shell makes of them when they are
 * pasted as they are (bash runs them; curl's request is received by a local listener, the CLI is a stand-in
 * script that prints what it was given).
 */
class CoordinatorCommandsTest {
    static final String TOKEN = "a-coordinator-token-0123456789";

    /** One request as the listener received it. */
    record Received(String method, String rawPath, String authorization, String contentType, String body) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer coordinator;

    @TempDir
    Path dir;

    @BeforeEach
    void listen() throws IOException {
        coordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        coordinator.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] answer = "{\"status\":\"running\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        coordinator.start();
    }

    @AfterEach
    void stop() {
        coordinator.stop(0);
    }

    String coordinatorUrl() {
        return "http://127.0.0.1:" + coordinator.getAddress().getPort();
    }

    @Test
    void theCommandsOfARetryAndAnApproval() {
        CoordinatorCommands commands = new CoordinatorCommands("https://release-train.posthog.net/");
        assertEquals("curl -fsS -X POST -H \"Authorization: Bearer $RELEASE_TRAIN_TOKEN\" -H 'Content-Type: application/json' "
                + "-d '{\"reason\":\"...\"}' https://release-train.posthog.net/releases/1.29.0/steps/deploy.upgrade-playground/retry",
                commands.retryCurl("1.29.0", "deploy.upgrade-playground"));
        assertEquals("RELEASE_TRAIN_URL=https://release-train.posthog.net ./release-train retry 1.29.0 deploy.upgrade-playground",
                commands.retryCli("1.29.0", "deploy.upgrade-playground"));
        assertEquals("curl -fsS -X POST -H \"Authorization: Bearer $RELEASE_TRAIN_TOKEN\" -H 'Content-Type: application/json' "
                + "-d '{\"note\":\"...\"}' https://release-train.posthog.net/releases/1.29.0/gates/release-day/approve",
                commands.approveCurl("1.29.0", "release-day"));
        assertEquals("RELEASE_TRAIN_URL=https://release-train.posthog.net ./release-train approve 1.29.0 release-day",
                commands.approveCli("1.29.0", "release-day"));
        assertEquals("https://release-train.posthog.net/release.html?version=1.29.0#step-release-day",
                commands.consoleLink("1.29.0", "release-day"));
        assertEquals("<https://x.example/release.html?version=1.29.0&amp;a=b#step-s|1.29.0 s &lt;x&gt;>",
                CoordinatorCommands.slackLink("https://x.example/release.html?version=1.29.0&a=b#step-s", "1.29.0 s <x>"));
    }

    @Test
    void wordsTheShellWouldSplitOrExpandAreSingleQuotedAndTheStepIsEncodedInTheUrl() {
        CoordinatorCommands commands = new CoordinatorCommands("http://coordinator:8080/api;v=1");
        String step = "it's $HOME *";
        assertEquals("curl -fsS -X POST -H \"Authorization: Bearer $RELEASE_TRAIN_TOKEN\" -H 'Content-Type: application/json' "
                + "-d '{\"reason\":\"...\"}' 'http://coordinator:8080/api;v=1/releases/1.29.0/steps/it%27s%20%24HOME%20*/retry'",
                commands.retryCurl("1.29.0", step));
        assertEquals("RELEASE_TRAIN_URL='http://coordinator:8080/api;v=1' ./release-train retry 1.29.0 'it'\\''s $HOME *'",
                commands.retryCli("1.29.0", step));
    }

    @Test
    void curlAsPastedSendsTheTokenFromTheEnvironmentAndTheBodyTheCoordinatorReads() throws Exception {
        CoordinatorCommands commands = new CoordinatorCommands(coordinatorUrl() + "/");
        String odd = "notify.it's $HOME";

        assertEquals(0, run(commands.retryCurl("1.29.0", "deploy.upgrade-playground")).exit());
        assertEquals(0, run(commands.approveCurl("1.29.0", "break-the-release")).exit());
        assertEquals(0, run(commands.retryCurl("1.29.0", odd)).exit());

        assertEquals(List.of(
                new Received("POST", "/releases/1.29.0/steps/deploy.upgrade-playground/retry", "Bearer " + TOKEN,
                        "application/json", "{\"reason\":\"...\"}"),
                new Received("POST", "/releases/1.29.0/gates/break-the-release/approve", "Bearer " + TOKEN,
                        "application/json", "{\"note\":\"...\"}"),
                new Received("POST", "/releases/1.29.0/steps/notify.it%27s%20%24HOME/retry", "Bearer " + TOKEN,
                        "application/json", "{\"reason\":\"...\"}")), received);
        assertEquals("/releases/1.29.0/steps/" + odd + "/retry", URLDecoder.decode(received.get(2).rawPath(), StandardCharsets.UTF_8));
    }

    @Test
    void theCliLineAsPastedGivesTheCliTheUrlTheTokenAndEachArgumentWhole() throws Exception {
        Path cli = dir.resolve("release-train");
        Files.writeString(cli, "#!/bin/sh\nprintf '%s\\n' \"$RELEASE_TRAIN_URL\" \"$RELEASE_TRAIN_TOKEN\" \"$@\"\n");
        assertTrue(cli.toFile().setExecutable(true));
        CoordinatorCommands commands = new CoordinatorCommands("http://coordinator:8080/api;v=1");

        Run retry = run(commands.retryCli("1.29.0", "it's $HOME *"));
        assertEquals(0, retry.exit(), retry.output());
        assertEquals(List.of("http://coordinator:8080/api;v=1", TOKEN, "retry", "1.29.0", "it's $HOME *"), retry.output().lines().toList());
        Run approve = run(commands.approveCli("1.29.0", "release-day"));
        assertEquals(List.of("http://coordinator:8080/api;v=1", TOKEN, "approve", "1.29.0", "release-day"),
                approve.output().lines().toList());
    }

    @Test
    void noCommandHoldsAToken() {
        CoordinatorCommands commands = new CoordinatorCommands("http://localhost:8080");
        for (String command : List.of(commands.retryCurl("1.29.0", "git.tag-release"), commands.retryCli("1.29.0", "git.tag-release"),
                commands.approveCurl("1.29.0", "release-day"), commands.approveCli("1.29.0", "release-day"))) {
            assertFalse(command.matches("(?s).*Bearer [^$].*"), command);
        }
        assertTrue(commands.retryCurl("1.29.0", "git.tag-release").contains("\"Authorization: Bearer $RELEASE_TRAIN_TOKEN\""));
    }

    @Test
    void aCommandGoesIntoAMessageAsABlockAndComesBackOutAsItWas() {
        String command = "curl -d '{\"a\":\"<b> & c\"}' 'http://h/x?a=1&b=2'";
        String text = "Do this:\n" + CoordinatorCommands.block(command) + "\nor `not this`:\n" + CoordinatorCommands.block("ls");
        assertFalse(text.contains("<b>"), "Slack's text escapes <, > and &: " + text);
        assertEquals(List.of(command, "ls"), SlackStandIn.codeBlocks(text));
    }

    record Run(int exit, String output) {
    }

    /** Runs one pasted line in bash, in the test's directory, with the token exported as a person would have it. */
    private Run run(String line) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("RELEASE_TRAIN_URL");
        for (String proxy : List.of("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")) {
            env.remove(proxy); // the listener is on this machine
        }
        env.put("RELEASE_TRAIN_TOKEN", TOKEN);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), line);
        return new Run(p.exitValue(), output);
    }
}
