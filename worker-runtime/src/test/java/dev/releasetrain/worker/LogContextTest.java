package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.LogFields;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every log line written while a command is handled, by the runtime or the step's handler, carries the release,
 * step, attempt and command id in the logging context (the JSON log's fields); none is left behind afterwards.
 */
class LogContextTest {
    /** Each line logged under dev.releasetrain, with the context it was written in. */
    record Line(String message, String release, String step, String attempt, String commandId) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final java.util.logging.Logger root = java.util.logging.Logger.getLogger("dev.releasetrain");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(new Line(record.getMessage(), str(MDC.get(LogFields.RELEASE)), str(MDC.get(LogFields.STEP)),
                    str(MDC.get(LogFields.ATTEMPT)), str(MDC.get(LogFields.COMMAND_ID))));
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
        root.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        root.removeHandler(capture);
    }

    @Test
    void everyLineWrittenWhileACommandRunsNamesItsReleaseStepAttemptAndCommand() {
        Logger handlerLog = Logger.getLogger("dev.releasetrain.git.ResolveHead");
        StepHandler handler = new StepHandler() {
            @Override
            public String stepId() {
                return "git.resolve-head";
            }

            @Override
            public StepOutcome run(StepContext ctx) {
                handlerLog.info("reading the remote's HEAD");
                return StepOutcome.succeeded(Map.of("commit", "c0ffee"));
            }
        };
        StepDispatcher dispatcher = new StepDispatcher(new StepHandlers(List.of(handler)), new CommandLog(10),
                new StepDispatcherTest.RecordingPublisher(), new SecretRedactor(List.of()), new WorkerIdentity("git-service", "host-1"));
        CloudEventCodec.Encoded command = CloudEventCodec.encode(new Envelope("e-1", "/release-train/coordinator", "1.29.0",
                Instant.now(), 2L, new StepRequested("git.resolve-head", "git", 3, "1.29.0/git.resolve-head/3", Map.of())));

        StepDispatcher.Disposition d = dispatcher.dispatch(command.headers(), command.body(), "release.commands.git-0@7");

        assertTrue(d instanceof StepDispatcher.Disposition.Completed, String.valueOf(d));
        assertTrue(lines.stream().anyMatch(l -> l.message().contains("reading the remote's HEAD")), "the handler's own line: " + lines);
        assertTrue(lines.size() >= 3, "the runtime's lines and the handler's: " + lines);
        for (Line l : lines) {
            assertEquals(new Line(l.message(), "1.29.0", "git.resolve-head", "3", "1.29.0/git.resolve-head/3"), l);
        }
        assertNull(MDC.get(LogFields.RELEASE), "the context ends with the command");
        assertNull(MDC.get(LogFields.COMMAND_ID));
    }

    @Test
    void aRedeliveredCommandIsSkippedInItsOwnContext() {
        StepDispatcher dispatcher = new StepDispatcher(new StepHandlers(List.of(new StepHandler() {
            @Override
            public String stepId() {
                return "git.resolve-head";
            }

            @Override
            public StepOutcome run(StepContext ctx) {
                return StepOutcome.succeeded(Map.of());
            }
        })), new CommandLog(10), new StepDispatcherTest.RecordingPublisher(), new SecretRedactor(List.of()),
                new WorkerIdentity("git-service", "host-1"));
        CloudEventCodec.Encoded command = CloudEventCodec.encode(new Envelope("e-2", "/release-train/coordinator", "1.30.0",
                Instant.now(), 2L, new StepRequested("git.resolve-head", "git", 1, "1.30.0/git.resolve-head/1", Map.of())));
        dispatcher.dispatch(command.headers(), command.body(), "release.commands.git-0@8");
        lines.clear();

        dispatcher.dispatch(command.headers(), command.body(), "release.commands.git-0@8");

        assertFalse(lines.isEmpty(), "the skip is logged");
        assertTrue(lines.stream().allMatch(l -> "1.30.0".equals(l.release()) && "1".equals(l.attempt())), lines.toString());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
