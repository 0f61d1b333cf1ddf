package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.StepDispatcher.Disposition;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepDispatcherTest {
    static final String SECRET = "xoxb-very-secret-token";

    final RecordingPublisher published = new RecordingPublisher();
    final AtomicInteger runs = new AtomicInteger();

    StepDispatcher dispatcher(StepHandler... handlers) {
        return new StepDispatcher(new StepHandlers(List.of(handlers)), new CommandLog(100), published,
                new SecretRedactor(List.of(SECRET)), new WorkerIdentity("git-service", "host-1"));
    }

    StepHandler handler(String stepId, StepHandlerBody body) {
        return new StepHandler() {
            @Override
            public String stepId() {
                return stepId;
            }

            @Override
            public StepOutcome run(StepContext ctx) throws Exception {
                runs.incrementAndGet();
                return body.run(ctx);
            }
        };
    }

    interface StepHandlerBody {
        StepOutcome run(StepContext ctx) throws Exception;
    }

    /** The command event appended for {@code commandId}; each call is a delivery of that same event. */
    static CloudEventCodec.Encoded command(String step, String commandId, Map<String, String> params) {
        return command(step, commandId, params, "event-of-" + commandId);
    }

    static CloudEventCodec.Encoded command(String step, String commandId, Map<String, String> params, String eventId) {
        return CloudEventCodec.encode(new Envelope(eventId, "/release-train/coordinator", "1.29.0", Instant.now(), null,
                new StepRequested(step, "git", 1, commandId, params)));
    }

    static Disposition send(StepDispatcher d, CloudEventCodec.Encoded e) {
        return d.dispatch(e.headers(), e.body(), "release.commands.git-0@7");
    }

    @Test
    void runsTheHandlerAndPublishesStartedThenSucceededWithTheOutputs() {
        StepDispatcher d = dispatcher(handler("git.resolve-head",
                ctx -> StepOutcome.succeeded(Map.of("branch", "master", "version", ctx.param("version")))));

        Disposition result = send(d, command("git.resolve-head", "c-1", Map.of("version", "1.29.0")));

        assertInstanceOf(Disposition.Completed.class, result);
        assertEquals(2, published.events.size());
        Envelope started = published.events.get(0);
        assertEquals(new StepStarted("git.resolve-head", 1, "c-1", "git-service@host-1"), started.data());
        assertEquals("/release-train/git-service", started.source());
        assertEquals("1.29.0", started.releaseId());
        StepSucceeded succeeded = (StepSucceeded) published.events.get(1).data();
        assertEquals(new StepSucceeded("git.resolve-head", 1, "c-1", Map.of("branch", "master", "version", "1.29.0"),
                "git-service@host-1", succeeded.startedAt()), succeeded);
        assertFalse(succeeded.startedAt().isAfter(published.events.get(1).time()), "began before its result was made");
    }

    StepDispatcher dispatcher(StartReports starts, StepHandler... handlers) {
        return new StepDispatcher(new StepHandlers(List.of(handlers)), new CommandLog(100), published,
                new SecretRedactor(List.of(SECRET)), new WorkerIdentity("git-service", "host-1"), starts);
    }

    @Test
    void aStepThatEndsWithinTheGracePeriodSendsNoStartItsResultSaysWhoRanItAndWhenItBegan() {
        try (StartReports starts = new StartReports(Duration.ofSeconds(30))) {
            StepDispatcher d = dispatcher(starts, handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of("commit", "abc"))),
                    handler("git.tag-release", ctx -> StepOutcome.failed("remote rejected", true)));
            java.time.Instant before = java.time.Instant.now();

            send(d, command("git.resolve-head", "c-1", Map.of()));
            send(d, command("git.tag-release", "c-2", Map.of()));

            assertEquals(List.of(StepSucceeded.class, StepFailed.class), published.events.stream().map(e -> e.data().getClass()).toList(),
                    "no StepStarted reached the bus");
            StepSucceeded succeeded = (StepSucceeded) published.events.get(0).data();
            assertEquals("git-service@host-1", succeeded.worker());
            assertFalse(succeeded.startedAt().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MICROS)));
            assertFalse(succeeded.startedAt().isAfter(published.events.get(0).time()));
            StepFailed failed = (StepFailed) published.events.get(1).data();
            assertEquals("git-service@host-1", failed.worker());
            assertFalse(failed.startedAt().isBefore(succeeded.startedAt()));
        }
    }

    @Test
    void aStepRunningLongerThanTheGracePeriodSendsItsStartWhileItRunsThenItsResult() {
        try (StartReports starts = new StartReports(Duration.ofMillis(20))) {
            StepDispatcher d = dispatcher(starts, handler("deploy.wait", ctx -> {
                // the step is still running when its start reaches the bus
                await(() -> published.events.stream().anyMatch(e -> e.data() instanceof StepStarted));
                return StepOutcome.succeeded(Map.of());
            }));

            Disposition done = send(d, command("deploy.wait", "c-1", Map.of()));

            assertInstanceOf(Disposition.Completed.class, done);
            assertEquals(List.of(StepStarted.class, StepSucceeded.class), published.events.stream().map(e -> e.data().getClass()).toList());
            assertEquals(new StepStarted("deploy.wait", 1, "c-1", "git-service@host-1"), published.events.get(0).data());
        }
    }

    @Test
    void progressWithinTheGracePeriodSendsTheStartFirstAndTheStartIsNotSentTwice() throws Exception {
        try (StartReports starts = new StartReports(Duration.ofMillis(50))) {
            StepDispatcher d = dispatcher(starts, handler("deploy.wait", ctx -> {
                ctx.progress("rolling out", Map.of());
                ctx.progress("still rolling out", Map.of());
                await(() -> starts.waiting() == 0); // past the grace period: the reporter came and found it sent
                return StepOutcome.succeeded(Map.of());
            }));

            send(d, command("deploy.wait", "c-1", Map.of()));

            assertEquals(List.of(StepStarted.class, StepProgress.class, StepProgress.class, StepSucceeded.class),
                    published.events.stream().map(e -> e.data().getClass()).toList());
        }
    }

    @Test
    void aNegativeGracePeriodIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StartReports(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("release-train.worker.started-after"), e.getMessage());
    }

    @Test
    void anExceptionBecomesARetryableFailureNamingTheExceptionWithoutTheSecret() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> {
            throw new java.io.IOException("cannot reach https://bot:" + SECRET + "@example.com/repo.git");
        }));

        send(d, command("git.resolve-head", "c-1", Map.of("version", "1.29.0")));

        StepFailed failed = (StepFailed) published.last().data();
        assertTrue(failed.retryable());
        assertTrue(failed.reason().startsWith("IOException: cannot reach"), failed.reason());
        assertFalse(failed.reason().contains(SECRET), failed.reason());
    }

    @Test
    void aMissingParameterFailsTheStepNotRetryableNamingTheParameter() {
        StepDispatcher d = dispatcher(handler("notify.post-message",
                ctx -> StepOutcome.succeeded(Map.of("v", ctx.param("version")))));

        send(d, command("notify.post-message", "c-1", Map.of("channel", "#releases")));

        StepFailed failed = (StepFailed) published.last().data();
        assertFalse(failed.retryable());
        assertTrue(failed.reason().contains("'version'") && failed.reason().contains("1.29.0"), failed.reason());
    }

    @Test
    void aReturnedFailureKeepsItsRetryableFlagAndIsRedacted() {
        StepDispatcher d = dispatcher(handler("notify.post-message",
                ctx -> StepOutcome.failed("invalid_auth for token " + SECRET, false)));

        send(d, command("notify.post-message", "c-1", Map.of()));

        StepFailed failed = (StepFailed) published.last().data();
        assertEquals(new StepFailed("notify.post-message", 1, "c-1", "invalid_auth for token ***", false,
                "git-service@host-1", failed.startedAt()), failed);
    }

    @Test
    void aCompletedCommandDeliveredAgainIsNotRunAgain() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));
        CloudEventCodec.Encoded cmd = command("git.resolve-head", "c-1", Map.of());

        send(d, cmd);
        Disposition again = send(d, cmd);

        assertInstanceOf(Disposition.Skipped.class, again);
        assertEquals(1, runs.get());
        assertEquals(2, published.events.size());
    }

    @Test
    void aCommandDeliveredAgainWhileRunningIsNotRunTwice() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        StepDispatcher d = dispatcher(handler("deploy.wait", ctx -> {
            running.countDown();
            assertTrue(finish.await(10, TimeUnit.SECONDS));
            return StepOutcome.succeeded(Map.of());
        }));
        CloudEventCodec.Encoded cmd = command("deploy.wait", "c-1", Map.of());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Disposition> first = pool.submit(() -> send(d, cmd));
            assertTrue(running.await(10, TimeUnit.SECONDS));

            Disposition second = send(d, cmd);
            finish.countDown();

            assertEquals(new Disposition.Skipped("in progress"), second);
            assertInstanceOf(Disposition.Completed.class, first.get(10, TimeUnit.SECONDS));
            assertEquals(1, runs.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNewCommandIdForTheSameStepRunsAgain() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));

        send(d, command("git.resolve-head", "c-1", Map.of()));
        send(d, command("git.resolve-head", "c-2", Map.of()));

        assertEquals(2, runs.get());
    }

    @Test
    void anUndecodableMessageIsRejectedWithTheReason() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));

        Disposition result = d.dispatch(Map.of(), "garbage".getBytes(StandardCharsets.UTF_8), "release.commands.git-0@3");

        Disposition.Rejected rejected = assertInstanceOf(Disposition.Rejected.class, result);
        assertTrue(rejected.reason().contains("missing header ce_specversion"), rejected.reason());
        assertTrue(rejected.reason().contains("release.commands.git-0@3"), rejected.reason());
        assertTrue(published.events.isEmpty());
    }

    @Test
    void anEventThatIsNotACommandIsRejected() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));
        CloudEventCodec.Encoded started = CloudEventCodec.encode(Envelope.of("/x", "1.29.0",
                new StepStarted("git.resolve-head", 1, "c-1", "w")));

        Disposition.Rejected rejected = assertInstanceOf(Disposition.Rejected.class, send(d, started));

        assertTrue(rejected.reason().contains("not a command: dev.releasetrain.StepStarted.v1"), rejected.reason());
        assertEquals(0, runs.get());
    }

    @Test
    void aStepWithoutAHandlerIsRejectedNamingTheStepsThatAreHandled() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));

        Disposition.Rejected rejected = assertInstanceOf(Disposition.Rejected.class,
                send(d, command("git.cut-branch", "c-1", Map.of())));

        assertTrue(rejected.reason().contains("no handler for step 'git.cut-branch'"), rejected.reason());
        assertTrue(rejected.reason().contains("[git.resolve-head]"), rejected.reason());
    }

    @Test
    void aNodeThatReusesAHandlerRunsItsActionAndItsResultsNameTheNode() {
        java.util.List<String> seen = new CopyOnWriteArrayList<>();
        StepDispatcher d = dispatcher(handler("git.cherry-pick-fixes", ctx -> {
            seen.add(ctx.step() + " via " + ctx.action() + " label " + ctx.param("label"));
            return StepOutcome.succeeded(Map.of("picked", List.of()));
        }));
        CloudEventCodec.Encoded late = CloudEventCodec.encode(Envelope.of("/release-train/coordinator", "1.29.0",
                new StepRequested("git.cherry-pick-late-fixes", "git", 1, "c-late", Map.of("label", "release-1.29.0"),
                        "git.cherry-pick-fixes")));

        Disposition done = send(d, late);

        assertInstanceOf(Disposition.Completed.class, done);
        assertEquals(List.of("git.cherry-pick-late-fixes via git.cherry-pick-fixes label release-1.29.0"), seen);
        StepSucceeded succeeded = (StepSucceeded) published.events.get(published.events.size() - 1).data();
        assertEquals("git.cherry-pick-late-fixes", succeeded.step(), "the result is the node's, for the coordinator and the timeline");
        assertEquals("c-late", succeeded.commandId());

        CloudEventCodec.Encoded unknown = CloudEventCodec.encode(Envelope.of("/release-train/coordinator", "1.29.0",
                new StepRequested("git.cherry-pick-late-fixes", "git", 1, "c-other", Map.of(), "git.nope")));
        Disposition.Rejected rejected = assertInstanceOf(Disposition.Rejected.class, send(d, unknown));
        assertTrue(rejected.reason().contains("no handler for action 'git.nope' (of step 'git.cherry-pick-late-fixes')"), rejected.reason());
        assertEquals(1, runs.get());
    }

    @Test
    void twoHandlersForOneStepIdAreRefused() {
        StepHandler a = handler("git.resolve-head", ctx -> null);
        StepHandler b = handler("git.resolve-head", ctx -> null);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new StepHandlers(List.of(a, b)));

        assertTrue(e.getMessage().contains("two step handlers for step 'git.resolve-head'"), e.getMessage());
    }

    @Test
    void aStartThatCannotBePublishedDoesNotStopTheStepWhoseResultTellsTheCoordinator() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of("commit", "abc"))));
        published.failOn = StepStarted.class;

        Disposition done = send(d, command("git.resolve-head", "c-1", Map.of()));

        assertInstanceOf(Disposition.Completed.class, done);
        assertEquals(1, runs.get());
        assertEquals(List.of(StepSucceeded.class), published.events.stream().map(e -> e.data().getClass()).toList(),
                "only the result reached the bus");
    }

    @Test
    void theStartIsNotAwaitedBeforeTheHandlerRunsButGoesFirst() {
        java.util.concurrent.CompletableFuture<Void> startAcked = new java.util.concurrent.CompletableFuture<>();
        List<String> order = new CopyOnWriteArrayList<>();
        ResultPublisher slowStart = new ResultPublisher() {
            @Override
            public void publish(Envelope event) {
                order.add("published " + event.data().getClass().getSimpleName());
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> publishAsync(Envelope event) {
                order.add("sent " + event.data().getClass().getSimpleName());
                return startAcked; // Kafka has not acknowledged it yet
            }
        };
        StepDispatcher d = new StepDispatcher(new StepHandlers(List.of(handler("git.resolve-head", ctx -> {
            order.add("handler ran");
            return StepOutcome.succeeded(Map.of());
        }))), new CommandLog(100), slowStart, new SecretRedactor(List.of()), new WorkerIdentity("git-service", "host-1"));

        Disposition done = send(d, command("git.resolve-head", "c-1", Map.of()));
        startAcked.complete(null);

        assertInstanceOf(Disposition.Completed.class, done);
        assertEquals(List.of("sent StepStarted", "handler ran", "published StepSucceeded"), order);
    }

    @Test
    void aResultThatCannotBePublishedDeadLettersTheCommandAndLetsARedeliveryRunIt() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> StepOutcome.succeeded(Map.of())));
        CloudEventCodec.Encoded cmd = command("git.resolve-head", "c-1", Map.of());
        published.failOn = StepSucceeded.class;

        Disposition first = send(d, cmd);
        published.failOn = null;
        Disposition second = send(d, cmd);

        assertTrue(((Disposition.Rejected) first).reason().contains("could not publish the result"));
        assertInstanceOf(Disposition.Completed.class, second);
        assertEquals(2, runs.get());
    }

    @Test
    void progressIsPublishedBetweenStartedAndTheResultWithoutSecrets() {
        StepDispatcher d = dispatcher(handler("deploy.wait", ctx -> {
            ctx.progress("still waiting, token " + SECRET, Map.of("tags", 3));
            return StepOutcome.succeeded(Map.of());
        }));

        send(d, command("deploy.wait", "c-1", Map.of()));

        assertEquals(3, published.events.size());
        assertEquals(new StepProgress("deploy.wait", 1, "c-1", "still waiting, token ***", Map.of("tags", 3)),
                published.events.get(1).data());
    }

    @Test
    void aHandlerReturningNothingFailsRetryable() {
        StepDispatcher d = dispatcher(handler("git.resolve-head", ctx -> null));

        send(d, command("git.resolve-head", "c-1", Map.of()));

        StepFailed failed = (StepFailed) published.last().data();
        assertTrue(failed.retryable());
        assertTrue(failed.reason().contains("returned no outcome"), failed.reason());
    }

    @Test
    void attemptsOfOneStepOfOneReleaseRunOneAtATimeWhileOtherStepsRunAlongside() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActiveOfStep = new AtomicInteger();
        StepHandler slow = handler("notify.post-message", ctx -> {
            maxActiveOfStep.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                assertTrue(finish.await(10, TimeUnit.SECONDS));
            } finally {
                active.decrementAndGet();
            }
            return StepOutcome.succeeded(Map.of());
        });
        StepHandler other = handler("git.resolve-head", ctx -> {
            assertTrue(finish.await(10, TimeUnit.SECONDS));
            return StepOutcome.succeeded(Map.of());
        });
        StepDispatcher d = dispatcher(slow, other);

        Thread first = new Thread(() -> send(d, command("notify.post-message", "c-1", Map.of())));
        Thread retry = new Thread(() -> send(d, command("notify.post-message", "c-2", Map.of())));
        Thread otherStep = new Thread(() -> send(d, command("git.resolve-head", "c-3", Map.of())));
        first.start();
        await(() -> runs.get() == 1);
        retry.start();
        otherStep.start();
        await(() -> runs.get() == 2 && retry.getState() == Thread.State.WAITING);

        finish.countDown();
        for (Thread t : List.of(first, retry, otherStep)) {
            t.join(10_000);
        }
        assertEquals(3, runs.get());
        assertEquals(1, maxActiveOfStep.get());
    }

    static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(condition::getAsBoolean);
    }

    static final class RecordingPublisher implements ResultPublisher {
        final List<Envelope> events = new CopyOnWriteArrayList<>();
        volatile Class<? extends ReleaseEvent> failOn;

        @Override
        public void publish(Envelope event) {
            if (failOn != null && failOn.isInstance(event.data())) {
                throw new IllegalStateException("broker unavailable");
            }
            // Round-trip through the codec, as Kafka would.
            CloudEventCodec.Encoded e = CloudEventCodec.encode(event);
            events.add(CloudEventCodec.decode(new HashMap<>(e.headers()), e.body()));
        }

        Envelope last() {
            return events.get(events.size() - 1);
        }
    }
}
