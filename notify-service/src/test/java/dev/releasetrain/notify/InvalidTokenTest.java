package dev.releasetrain.notify;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.releasetrain.notify.AnnouncementsTest.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens Slack and GitHub refuse: failed steps, not retryable, naming the service's answer; the token nowhere in the log. */
@QuarkusTest
@TestProfile(InvalidTokenTest.WrongToken.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(NotifySandboxResource.class)
class InvalidTokenTest {
    static final String WRONG_TOKEN = "xoxb-revoked-token-0123456789";
    static final String WRONG_COMMUNITY_TOKEN = "xoxb-revoked-community-token-9876543210";
    static final String WRONG_GITHUB_TOKEN = "ghp_revokedReleaseTrainToken000000000000";

    public static class WrongToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("release-train.slack.token", WRONG_TOKEN, "release-train.slack.community.token", WRONG_COMMUNITY_TOKEN,
                    "release-train.github.token", WRONG_GITHUB_TOKEN);
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Everything logged while a test runs, every level, formatted with its parameters and stack trace. */
    final List<String> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object p : r.getParameters()) {
                    sb.append(' ').append(p);
                }
                try {
                    sb.append(' ').append(MessageFormat.format(String.valueOf(r.getMessage()), r.getParameters()));
                } catch (IllegalArgumentException ignored) {
                    // printf-style message
                }
            }
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append(' ').append(trace);
            }
            logged.add(sb.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aTokenSlackRefusesFailsTheStepNotRetryableWithSlacksErrorCode() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", "notify.post-message", Map.of("version", release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);

            StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));

            assertFalse(failed.retryable());
            assertEquals("Slack conversations.history in the team workspace failed: invalid_auth", failed.reason());
        }
        assertTokensNotLogged(release);
    }

    @Test
    void anAnnouncementWithATokenSlackRefusesFailsNotRetryable() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", "notify.announce-code-freeze", AnnouncementsTest.releaseVariables(release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));
            assertFalse(failed.retryable());
            assertEquals("Slack conversations.history in the team workspace failed: invalid_auth", failed.reason());
        }
        assertTokensNotLogged(release);
    }

    @Test
    void theReleaseAnnouncementUsesTheCommunityTokenAndARefusedOneNamesThatWorkspace() {
        String release = TestBus.freshReleaseId();
        Map<String, String> params = AnnouncementsTest.releaseVariables(release);
        params.put("postUrl", "https://posthog.com/blog/posthog-array-1-29-0");
        StepRequested command = TestBus.command("notify", "notify.announce-release", params);
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));
            assertFalse(failed.retryable());
            assertEquals("Slack conversations.history in the community workspace failed: invalid_auth", failed.reason());
        }
        assertTokensNotLogged(release);
    }

    @Test
    void aTokenGitHubRefusesFailsTheDraftNotRetryable() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("notify", "notify.draft-release-post", ReleasePostTest.draftParams(release));
        try (TestBus bus = new TestBus(bootstrapServers)) {
            bus.send(release, command);
            StepFailed failed = assertInstanceOf(StepFailed.class, last(bus.awaitOutcome(release, command.commandId())));
            assertFalse(failed.retryable());
            assertEquals("reading repository PostHog/posthog.com: GitHub rejected the token (401 Bad credentials)", failed.reason());
        }
        assertTokensNotLogged(release);
    }

    private void assertTokensNotLogged(String release) {
        assertTrue(logged.stream().anyMatch(l -> l.contains(release)), "the step's run was logged: " + logged);
        for (String line : logged) {
            assertFalse(line.contains(WRONG_TOKEN) || line.contains(WRONG_COMMUNITY_TOKEN) || line.contains(WRONG_GITHUB_TOKEN),
                    "a token in the log: " + line);
        }
    }
}
