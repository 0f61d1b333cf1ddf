package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.log.StreamTails;
import dev.releasetrain.coordinator.runbook.RunbookCatalog;
import dev.releasetrain.coordinator.trace.ReleaseTraces;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two coordinator instances on one log: each is a {@link Releases} of its own (its own cache, its own
 * clock), as in two processes. A release started on one has its deadline judged by the other, and a
 * deadline both find due at once times the step out once.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class TimersAcrossInstancesTest {
    /** Past the proving plan's two-minute deadline, before anything else of it is due. */
    private static final Duration LATER = Duration.ofMinutes(3);

    @Inject
    ReleaseLog log;
    @Inject
    RunbookCatalog catalog;
    @Inject
    ReleaseSchedule schedule;
    @Inject
    StreamTails tails;
    @Inject
    ReleaseTraces traces;
    @Inject
    Instance<ResultsBacklog> backlogs;
    @ConfigProperty(name = "release-train.versions.released")
    Optional<List<String>> released;

    @Test
    void aReleaseStartedOnOneInstanceTimesOutOnTheOther() {
        Releases a = instance(Clock.offset(Clock.systemUTC(), LATER));
        Releases b = instance(Clock.systemUTC());
        a.tick(); // a has read the log before the release exists
        String v = start(b);

        a.tick();

        assertEquals(1, timeouts(v), "the instance that never saw the release fired its deadline: " + log.read(v));
        b.clock = Clock.offset(Clock.systemUTC(), LATER);
        b.tick(); // b's own state is behind the log: it reads on and finds nothing due
        assertEquals(1, timeouts(v), "fired once: " + log.read(v));
        assertEquals(ReleaseState.ReleaseStatus.FAILED, b.state(v).orElseThrow().status());
    }

    @Test
    void aDeadlineBothInstancesFindDueAtOnceFiresOnce() throws Exception {
        Releases a = instance(Clock.systemUTC());
        Releases b = instance(Clock.systemUTC());
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            versions.add(start(i % 2 == 0 ? a : b));
        }
        a.clock = Clock.offset(Clock.systemUTC(), LATER);
        b.clock = Clock.offset(Clock.systemUTC(), LATER);
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Void> onA = CompletableFuture.runAsync(() -> tickWith(a, together));
        CompletableFuture<Void> onB = CompletableFuture.runAsync(() -> tickWith(b, together));
        onA.get();
        onB.get();

        for (String v : versions) {
            assertEquals(1, timeouts(v), () -> "release " + v + ": " + log.read(v));
            List<Envelope> stream = log.read(v);
            for (int i = 0; i < stream.size(); i++) {
                assertEquals(i + 1, stream.get(i).seq(), "no gap in " + v);
            }
        }
    }

    private static void tickWith(Releases r, CyclicBarrier together) {
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        r.tick();
    }

    /** Another coordinator process, as far as the log can tell: nothing shared but the database. */
    private Releases instance(Clock clock) {
        Releases r = new Releases();
        r.log = log;
        r.catalog = catalog;
        r.schedule = schedule;
        r.tails = tails;
        r.traces = traces;
        r.backlogs = backlogs;
        r.releasedBefore = released;
        r.clock = clock;
        r.init();
        return r;
    }

    private static String start(Releases on) {
        Releases.Outcome o = on.start(null, "minor", "proving", "alice");
        assertTrue(o.accepted(), () -> String.valueOf(o.rejection()));
        return o.appended().get(0).releaseId();
    }

    private long timeouts(String v) {
        return log.read(v).stream().filter(e -> e.data() instanceof ReleaseEvent.StepTimedOut).count();
    }
}
