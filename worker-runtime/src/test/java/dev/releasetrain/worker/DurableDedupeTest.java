package dev.releasetrain.worker;

import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.StepDispatcher.Disposition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.releasetrain.worker.CommandLogTest.result;
import static dev.releasetrain.worker.StepDispatcherTest.command;
import static dev.releasetrain.worker.StepDispatcherTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service restarted (a new runtime on the same data dir) does not run a redelivered command again, and a
 * crash between a step's external effect and its result leaves the effect done once.
 */
class DurableDedupeTest {
    @TempDir
    Path dataDir;

    /** The external system: tags, each created at most once, as a step that checks before acting does. */
    final Set<String> tags = ConcurrentHashMap.newKeySet();
    final AtomicInteger creations = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();

    final StepHandler tagRelease = new StepHandler() {
        @Override
        public String stepId() {
            return "git.tag-release";
        }

        @Override
        public StepOutcome run(StepContext ctx) {
            runs.incrementAndGet();
            String tag = ctx.releaseId();
            boolean created = tags.add(tag);
            if (created) {
                creations.incrementAndGet();
            }
            return StepOutcome.succeeded(Map.of("tag", tag, "created", created));
        }
    };

    /** One service process: a fresh runtime reading the same data dir. */
    StepDispatcher service(StepDispatcherTest.RecordingPublisher publisher) {
        return new StepDispatcher(new StepHandlers(List.of(tagRelease)),
                new CommandLog(100, Optional.of(dataDir.toString())), publisher, new SecretRedactor(List.of()),
                new WorkerIdentity("git-service", "host-1"));
    }

    @Test
    void aCommandRedeliveredAfterARestartIsAcknowledgedWithoutRunningAgain() {
        StepDispatcherTest.RecordingPublisher before = new StepDispatcherTest.RecordingPublisher();
        assertInstanceOf(Disposition.Completed.class, send(service(before), command("git.tag-release", "c-1", Map.of())));

        StepDispatcherTest.RecordingPublisher after = new StepDispatcherTest.RecordingPublisher();
        Disposition again = send(service(after), command("git.tag-release", "c-1", Map.of()));

        assertEquals(new Disposition.Skipped("already completed"), again);
        assertEquals(1, runs.get());
        assertTrue(after.events.isEmpty(), "nothing published twice: " + after.events);
    }

    @Test
    void theSameCommandIdAppendedAnewIsANewCommand() {
        // another installation, or this one after its database was reset, runs release 1.29.0 again: its
        // commands have the same ids but were appended as new events, and must run
        send(service(new StepDispatcherTest.RecordingPublisher()), command("git.tag-release", "1.29.0/git.tag-release/1", Map.of()));

        StepDispatcherTest.RecordingPublisher other = new StepDispatcherTest.RecordingPublisher();
        Disposition again = send(service(other), command("git.tag-release", "1.29.0/git.tag-release/1", Map.of(), "another-append"));

        assertInstanceOf(Disposition.Completed.class, again);
        assertEquals(2, runs.get());
        assertEquals(1, creations.get(), "the step found its tag");
        assertInstanceOf(StepSucceeded.class, other.events.get(other.events.size() - 1).data(), "a result for the new command");
    }

    @Test
    void aCrashBetweenTheEffectAndItsResultRerunsTheStepWhichFindsTheEffectDone() {
        StepDispatcherTest.RecordingPublisher crashing = new StepDispatcherTest.RecordingPublisher();
        crashing.failOn = StepSucceeded.class; // the process dies before its result reaches Kafka
        Disposition lost = send(service(crashing), command("git.tag-release", "c-1", Map.of()));
        assertInstanceOf(Disposition.Rejected.class, lost);
        assertEquals(1, creations.get(), "the tag was created before the crash");

        StepDispatcherTest.RecordingPublisher restarted = new StepDispatcherTest.RecordingPublisher();
        Disposition replayed = send(service(restarted), command("git.tag-release", "c-1", Map.of()));
        StepSucceeded ok = (StepSucceeded) ((Disposition.Completed) replayed).result().data();
        Disposition third = send(service(new StepDispatcherTest.RecordingPublisher()), command("git.tag-release", "c-1", Map.of()));

        assertEquals(Map.of("tag", "1.29.0", "created", false), ok.outputs());
        assertEquals(1, creations.get(), "one tag however often the command ran");
        assertEquals(new Disposition.Skipped("already completed"), third);
    }

    @Test
    void theRecordKeepsTheLastCommandsAcrossCompactionsAndIgnoresATornLine() throws Exception {
        Files.writeString(dataDir.resolve(CommandLog.FILE_NAME), "old-1\nold-2\nhalf-writ");
        CommandLog log = new CommandLog(3, Optional.of(dataDir.toString()));
        for (int i = 0; i < 10; i++) {
            assertEquals(CommandLog.Claim.CLAIMED, log.claim("c-" + i));
            log.complete("c-" + i, result("c-" + i));
        }

        CommandLog restarted = new CommandLog(3, Optional.of(dataDir.toString()));

        for (String id : List.of("c-7", "c-8", "c-9")) {
            assertEquals(CommandLog.Claim.COMPLETED, restarted.claim(id), id);
        }
        assertEquals(CommandLog.Claim.CLAIMED, restarted.claim("c-0"), "older ones are forgotten as in memory");
        assertTrue(Files.readAllLines(dataDir.resolve(CommandLog.FILE_NAME)).size() <= 6, "the file stays bounded");
    }
}
