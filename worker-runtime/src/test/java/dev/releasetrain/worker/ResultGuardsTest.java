package dev.releasetrain.worker;

import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.StepDispatcher.Disposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.releasetrain.worker.StepDispatcherTest.command;
import static dev.releasetrain.worker.StepDispatcherTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the worker runtime guarantees of every result, whatever its handler returns: no secret, bounded size. */
class ResultGuardsTest {
    /** Distinctive, so that finding it anywhere means a leak. */
    static final String SECRET = "ghp_Distinctive5ecretValue0123456789";

    final StepDispatcherTest.RecordingPublisher published = new StepDispatcherTest.RecordingPublisher();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final Logger dispatcherLog = Logger.getLogger(StepDispatcher.class.getName());
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            Object[] params = r.getParameters();
            logLines.add(r.getMessage() + (params == null ? "" : " " + java.util.Arrays.deepToString(params)));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        dispatcherLog.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        dispatcherLog.removeHandler(capture);
    }

    StepDispatcher dispatcher(ResultLimits limits, StepHandler handler) {
        return new StepDispatcher(new StepHandlers(List.of(handler)), new CommandLog(100), published,
                new SecretRedactor(List.of(SECRET)), new WorkerIdentity("git-service", "host-1"),
                StartReports.immediate(), limits);
    }

    static StepHandler returning(StepOutcome outcome) {
        return new StepHandler() {
            @Override
            public String stepId() {
                return "git.update-playground-values";
            }

            @Override
            public StepOutcome run(StepContext ctx) {
                return outcome;
            }
        };
    }

    @Test
    void outputsOverTheCapFailTheStepNotRetryableNamingTheCapAndTheLargestOutput() {
        StepDispatcher d = dispatcher(new ResultLimits(1024, 4096), returning(StepOutcome.succeeded(
                Map.of("path", "client_values/posthog/playground.yaml", "content", "x".repeat(5000)))));

        Disposition result = send(d, command("git.update-playground-values", "c-1", Map.of()));

        StepFailed failed = (StepFailed) ((Disposition.Completed) result).result().data();
        assertFalse(failed.retryable(), "the same outputs would be too large again");
        assertTrue(failed.reason().contains("over the cap of 1024 bytes (release-train.worker.max-output-bytes)"), failed.reason());
        assertTrue(failed.reason().contains("the largest is 'content'"), failed.reason());
        assertTrue(published.events.stream().noneMatch(e -> e.data() instanceof StepSucceeded), "no success published");
        assertTrue(published.events.stream().allMatch(e -> CloudEventCodecSize.of(e) < 4096), "nothing large published");
    }

    @Test
    void outputsAtTheCapArePublishedAsTheyAre() {
        Map<String, Object> outputs = Map.of("commit", "a".repeat(40), "changedKeys", List.of("image.tag"));
        StepDispatcher d = dispatcher(new ResultLimits(1024, 4096), returning(StepOutcome.succeeded(outputs)));

        StepSucceeded ok = (StepSucceeded) ((Disposition.Completed) send(d,
                command("git.update-playground-values", "c-1", Map.of()))).result().data();

        assertEquals(outputs, ok.outputs());
    }

    @Test
    void anOverLongReasonIsCutToTheCapWithAMarkerSayingHowMuchWasLeftOut() {
        String reason = "helm said: " + "e".repeat(10_000);
        StepDispatcher d = dispatcher(new ResultLimits(65536, 500), returning(StepOutcome.failed(reason, true)));

        StepFailed failed = (StepFailed) ((Disposition.Completed) send(d,
                command("git.update-playground-values", "c-1", Map.of()))).result().data();

        assertTrue(failed.reason().length() <= 500 && failed.reason().length() > 490, failed.reason().length() + " characters");
        assertTrue(failed.reason().startsWith("helm said: eee"), failed.reason());
        int kept = failed.reason().indexOf('…');
        assertTrue(failed.reason().endsWith("… [cut " + (reason.length() - kept) + " characters]"), failed.reason());
        assertTrue(failed.retryable());
    }

    @Test
    void theDefaultCapsAre64KiBOfOutputsAnd4KiCharactersOfReason() {
        ResultLimits limits = ResultLimits.defaults();
        assertEquals(65536, limits.maxOutputBytes());
        assertEquals(4096, limits.maxReasonChars());
        assertThrows(IllegalArgumentException.class, () -> new ResultLimits(65536, 10));
    }

    @Test
    void aSecretIsScrubbedFromOutputsHoweverNestedFromReasonsAndFromTheDispatchersLogLines() {
        StepDispatcher ok = dispatcher(ResultLimits.defaults(), returning(StepOutcome.succeeded(Map.of(
                "remote", "https://x-access-token:" + SECRET + "@github.com/PostHog/vpc.git",
                "values", Map.of("auth", List.of("token " + SECRET), SECRET, 3),
                "count", 2))));
        StepSucceeded succeeded = (StepSucceeded) ((Disposition.Completed) send(ok,
                command("git.update-playground-values", "c-1", Map.of()))).result().data();
        StepDispatcher failing = dispatcher(ResultLimits.defaults(), returning(StepOutcome.failed(
                "push refused for token " + SECRET, false)));
        StepFailed failed = (StepFailed) ((Disposition.Completed) send(failing,
                command("git.update-playground-values", "c-2", Map.of()))).result().data();
        // a command that names the secret (in its step id) is dead-lettered and logged without it
        Disposition rejected = send(ok, command("git." + SECRET, "c-3", Map.of()));

        assertEquals("https://x-access-token:***@github.com/PostHog/vpc.git", succeeded.outputs().get("remote"));
        assertEquals(Map.of("auth", List.of("token ***"), "***", 3), succeeded.outputs().get("values"));
        assertEquals(2, succeeded.outputs().get("count"));
        assertEquals("push refused for token ***", failed.reason());
        assertFalse(((Disposition.Rejected) rejected).reason().contains(SECRET));
        assertFalse(logLines.isEmpty(), "the dispatcher's log was captured");
        for (String line : logLines) {
            assertFalse(line.contains(SECRET), line);
        }
        published.events.forEach(e -> assertFalse(new String(dev.releasetrain.protocol.CloudEventCodec.encode(e).body(),
                java.nio.charset.StandardCharsets.UTF_8).contains(SECRET), e.toString()));
    }

    /** The size of an event as it goes to Kafka. */
    static final class CloudEventCodecSize {
        static int of(dev.releasetrain.protocol.Envelope e) {
            return dev.releasetrain.protocol.CloudEventCodec.encode(e).body().length;
        }
    }
}
