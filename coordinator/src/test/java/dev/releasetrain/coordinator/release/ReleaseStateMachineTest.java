package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.RunbookParser;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepRetryRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The release state machine as plain functions: no Kafka, no database. */
class ReleaseStateMachineTest {
    static final Runbook DIAMOND = new Runbook("diamond", List.of(
            new StepDefinition("git.a", "git", List.of(), Map.of()),
            new StepDefinition("deploy.b", "deploy", List.of("git.a"), Map.of()),
            new StepDefinition("cdn.c", "cdn", List.of("git.a"), Map.of("paths", "/*")),
            new StepDefinition("notify.d", "notify", List.of("deploy.b", "cdn.c"), Map.of())));

    final ReleaseStateMachine machine = new ReleaseStateMachine(name -> DIAMOND);

    static ReleaseCommand.Start start(Runbook runbook, String by) {
        return new ReleaseCommand.Start("1.29.0", "minor", "1.28.3", runbook, by,
                Map.of("version", "1.29.0", "owner", "alice", "releaseBranch", "release-1.29.0"));
    }

    /** A tiny in-memory stream: decide, then append what was decided. */
    final class Stream {
        final List<Envelope> events = new ArrayList<>();
        ReleaseState state = ReleaseState.empty("1.29.0");

        Decision run(ReleaseCommand c) {
            Decision d = machine.decide(state, c, java.time.Instant.now());
            if (c instanceof ReleaseCommand.RecordResult r && !d.rejected() && !d.repeated()) {
                append(r.result());
            }
            d.events().forEach(e -> append(Envelope.of("/test", "1.29.0", e)));
            return d;
        }

        void append(Envelope e) {
            Envelope stored = e.withSeq(events.size() + 1);
            events.add(stored);
            state = machine.evolve(state, stored);
        }

        List<StepRequested> requested() {
            return events.stream().map(Envelope::data).filter(StepRequested.class::isInstance)
                    .map(StepRequested.class::cast).toList();
        }

        StepRequested lastRequest(String step) {
            List<StepRequested> r = requested().stream().filter(x -> x.step().equals(step)).toList();
            return r.get(r.size() - 1);
        }

        Decision succeed(String step) {
            StepRequested r = lastRequest(step);
            return run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                    new StepSucceeded(step, r.attempt(), r.commandId(), Map.of("done", step)))));
        }
    }

    @Test
    void startRequestsOnlyTheStepsWithoutDependencies() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        assertEquals(List.of("git.a"), s.requested().stream().map(StepRequested::step).toList());
        StepRequested first = s.requested().get(0);
        assertEquals(1, first.attempt());
        assertEquals("1.29.0/git.a/1", first.commandId());
        assertEquals("1.29.0", first.params().get("version"));
        assertEquals(ReleaseStatus.RUNNING, s.state.status());
    }

    @Test
    void independentStepsAreRequestedTogetherAndTheJoinWaitsForBoth() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        s.succeed("git.a");
        assertEquals(Set.of("git.a", "deploy.b", "cdn.c"), s.requested().stream().map(StepRequested::step).collect(Collectors.toSet()));
        assertEquals("/*", s.lastRequest("cdn.c").params().get("paths"));
        s.succeed("deploy.b");
        assertTrue(s.requested().stream().noneMatch(r -> r.step().equals("notify.d")), "the join must wait for cdn.c");
        s.succeed("cdn.c");
        s.succeed("notify.d");
        assertEquals(ReleaseStatus.COMPLETED, s.state.status());
        assertInstanceOf(ReleaseCompleted.class, s.events.get(s.events.size() - 1).data());
    }

    @Test
    void aSecondStartOfTheSameVersionIsAConflict() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        Decision again = s.run(start(DIAMOND, "bob"));
        assertEquals(Decision.Reason.CONFLICT, again.rejection().reason());
    }

    @Test
    void aFailureStopsTheReleaseOnceNothingElseRunsAndARetryResumesIt() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        s.succeed("git.a");
        StepRequested b = s.lastRequest("deploy.b");
        s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepFailed("deploy.b", b.attempt(), b.commandId(), "helm: timed out", false))));
        assertEquals(ReleaseStatus.RUNNING, s.state.status(), "cdn.c still runs");
        s.succeed("cdn.c");
        assertEquals(ReleaseStatus.FAILED, s.state.status());
        ReleaseFailed failed = (ReleaseFailed) s.events.get(s.events.size() - 1).data();
        assertEquals("deploy.b", failed.failedStep());
        assertEquals("helm: timed out", failed.reason());

        Decision notFailed = s.run(new ReleaseCommand.RetryStep("cdn.c", "alice", null, null));
        assertEquals(Decision.Reason.CONFLICT, notFailed.rejection().reason());
        Decision unknown = s.run(new ReleaseCommand.RetryStep("git.nope", "alice", null, null));
        assertEquals(Decision.Reason.NOT_FOUND, unknown.rejection().reason());

        Decision retry = s.run(new ReleaseCommand.RetryStep("deploy.b", "alice", "cluster fixed", null));
        assertInstanceOf(StepRetryRequested.class, retry.events().get(0));
        assertEquals(2, s.lastRequest("deploy.b").attempt());
        assertEquals("1.29.0/deploy.b/2", s.lastRequest("deploy.b").commandId());
        assertEquals(ReleaseStatus.RUNNING, s.state.status());
        s.succeed("deploy.b");
        s.succeed("notify.d");
        assertEquals(ReleaseStatus.COMPLETED, s.state.status());
    }

    @Test
    void onlyTheFirstAnswerToACommandCountsAndASecondRunsReportIsNotRecorded() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        StepRequested a = s.lastRequest("git.a");
        s.succeed("git.a");
        ReleaseState before = s.state;
        int logged = s.events.size();

        // the same command run again by another instance of the service after a rebalance: new events, same command
        Decision again = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("git.a", a.attempt(), a.commandId(), Map.of("commit", "other")))));
        Decision failedAgain = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepFailed("git.a", a.attempt(), a.commandId(), "tag already exists", false))));
        Decision startedAgain = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepStarted("git.a", a.attempt(), a.commandId(), "git-service-2"))));

        for (Decision d : List.of(again, failedAgain, startedAgain)) {
            assertTrue(d.repeated() && !d.rejected() && d.events().isEmpty(), String.valueOf(d));
        }
        assertEquals(logged, s.events.size(), "nothing recorded");
        assertEquals(before.steps(), s.state.steps());
    }

    @Test
    void resultsThatDoNotAnswerTheCurrentCommandAreRefusedAndChangeNothing() {
        Stream s = new Stream();
        s.run(start(DIAMOND, "alice"));
        StepRequested a1 = s.lastRequest("git.a");
        s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepFailed("git.a", 1, a1.commandId(), "remote hung up", false))));
        s.run(new ReleaseCommand.RetryStep("git.a", "alice", null, null));
        StepRequested a2 = s.lastRequest("git.a");
        ReleaseState before = s.state;
        int logged = s.events.size();

        Decision late = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("git.a", 1, a1.commandId(), Map.of()))));
        Decision forged = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("git.a", a2.attempt(), "1.29.0/git.a/forged", Map.of()))));
        Decision unknown = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("git.nope", 1, "1.29.0/git.nope/1", Map.of()))));
        Decision unrequested = s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("deploy.b", 1, "1.29.0/deploy.b/1", Map.of()))));

        assertTrue(late.rejected() && late.rejection().message().contains(a2.commandId()), String.valueOf(late.rejection()));
        assertTrue(forged.rejected() && forged.rejection().message().contains("current command"), String.valueOf(forged.rejection()));
        assertTrue(unknown.rejected() && unknown.rejection().message().contains("no step 'git.nope'"), String.valueOf(unknown.rejection()));
        assertTrue(unrequested.rejected() && unrequested.rejection().message().contains("never requested"),
                String.valueOf(unrequested.rejection()));
        assertEquals(logged, s.events.size(), "nothing recorded");
        assertEquals(before.steps(), s.state.steps(), "neither a late success of attempt 1 nor a forged one completes attempt 2");
        assertEquals(StepStatus.REQUESTED, s.state.steps().get("git.a").status());
        s.run(new ReleaseCommand.RecordResult(Envelope.of("/svc", "1.29.0",
                new StepSucceeded("git.a", a2.attempt(), a2.commandId(), Map.of()))));
        assertEquals(StepStatus.SUCCEEDED, s.state.steps().get("git.a").status(), "the answer to the current command counts");
    }

    @Test
    void anInvalidRunbookIsRefusedNamingTheStep() {
        var cycle = assertThrows(Runbook.InvalidRunbook.class, () -> new Runbook("loop", List.of(
                new StepDefinition("git.a", "git", List.of("git.b"), Map.of()),
                new StepDefinition("git.b", "git", List.of("git.a"), Map.of()))));
        assertTrue(cycle.getMessage().contains("runbook 'loop'") && cycle.getMessage().contains("cycle"), cycle.getMessage());
        var service = assertThrows(Runbook.InvalidRunbook.class, () -> new Runbook("x", List.of(
                new StepDefinition("ftp.a", "ftp", List.of(), Map.of()))));
        assertTrue(service.getMessage().contains("step 'ftp.a'") && service.getMessage().contains("unknown service"));
        var missing = assertThrows(Runbook.InvalidRunbook.class, () -> new Runbook("x", List.of(
                new StepDefinition("git.a", "git", List.of("git.z"), Map.of()))));
        assertTrue(missing.getMessage().contains("unknown step 'git.z'"));
    }

    /**
     * Property: whatever order the services' results arrive in, and however often each is
     * delivered, folding the recorded stream gives the same final step states.
     */
    @Test
    void duplicatedAndReorderedResultsFoldToTheSameState() {
        Random random = new Random(20261124L);
        ReleaseState reference = null;
        for (int run = 0; run < 300; run++) {
            Stream s = new Stream();
            s.run(start(DIAMOND, "alice"));
            List<Envelope> inbox = new ArrayList<>();
            int handled = 0;
            while (s.state.status() == ReleaseStatus.RUNNING) {
                // Services answer every request not yet answered: started, then succeeded, each maybe twice.
                List<StepRequested> requests = s.requested();
                for (; handled < requests.size(); handled++) {
                    StepRequested r = requests.get(handled);
                    Envelope started = Envelope.of("/svc", "1.29.0", new StepStarted(r.step(), r.attempt(), r.commandId(), "w"));
                    Envelope done = Envelope.of("/svc", "1.29.0", new StepSucceeded(r.step(), r.attempt(), r.commandId(), Map.of("done", r.step())));
                    inbox.add(started);
                    inbox.add(done);
                    if (random.nextBoolean()) {
                        inbox.add(done); // redelivery
                    }
                    if (random.nextBoolean()) {
                        inbox.add(started);
                    }
                }
                Collections.shuffle(inbox, random);
                Envelope next = inbox.remove(0);
                if (s.events.stream().noneMatch(e -> e.id().equals(next.id()))) { // the log dedupes by event id
                    s.run(new ReleaseCommand.RecordResult(next));
                }
            }
            assertEquals(ReleaseStatus.COMPLETED, s.state.status());
            assertEquals(4, s.requested().size(), "each step requested exactly once");
            assertEquals(1, s.events.stream().filter(e -> e.data() instanceof ReleaseCompleted).count());
            ReleaseState folded = machine.fold("1.29.0", s.events);
            assertEquals(s.state.steps(), folded.steps(), "rebuilding from the log gives the live state");
            if (reference == null) {
                reference = folded;
            }
            assertEquals(stripCommandTimes(reference), stripCommandTimes(folded));
        }
    }

    private static Map<String, String> stripCommandTimes(ReleaseState s) {
        return s.steps().values().stream().collect(Collectors.toMap(ReleaseState.StepState::id,
                st -> st.status() + "/" + st.attempt() + "/" + st.commandId() + "/" + st.outputs()));
    }

    @Test
    void theRecordedDefinitionPinsThePlan() {
        Runbook proving = RunbookParser.parse("proving.yaml", """
                name: proving
                steps:
                  - id: git.resolve-head
                  - id: notify.post-message
                    needs: [git.resolve-head]
                """);
        Stream s = new Stream();
        s.run(start(proving, "alice"));
        ReleaseEvent.ReleaseStarted started = (ReleaseEvent.ReleaseStarted) s.events.get(0).data();
        assertEquals(proving.hash(), started.runbookHash());
        assertEquals(proving.text(), started.definition());
        // The state machine's own resolver knows only DIAMOND: the plan came from the recorded text.
        assertEquals(List.of("git.resolve-head", "notify.post-message"), List.copyOf(s.state.steps().keySet()));
    }
}
