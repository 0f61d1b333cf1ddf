package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The previous version and its release time come from the release log: the newest completed release of
 * the line, dated by its tag. Running, cancelled and failed releases and proving runs do not count. The
 * 0.77 line is this test's own ({@code 0.77.0} is configured as released before Release Train in the test
 * profile), so other tests sharing the database are not disturbed.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleasedVersionsTest {
    @Inject
    Releases releases;
    @Inject
    ReleaseLog log;

    @Test
    void aPatchFollowsTheLastCompletedReleaseOfItsLineDatedByItsTag() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Map<String, String> first = start("0.77.1", null);
        assertEquals("0.77.0", first.get("previousVersion"));
        assertEquals("", first.get("previousReleaseTime"), "0.77.0 was released before Release Train");
        assertEquals("refs/tags/0.77.0", first.get("fromRef"));
        assertEquals("release-0.77.1", first.get("releaseBranch"));
        assertEquals("patch", first.get("kind"));
        Instant startedAt = Instant.parse(first.get("releaseTime"));
        assertFalse(startedAt.isBefore(before) || startedAt.isAfter(Instant.now()), "dated when it was started: " + startedAt);
        assertEquals(LocalDate.ofInstant(startedAt, ZoneOffset.UTC).toString(), first.get("releaseDate"), "the day it was started (UTC calendar)");
        assertEquals(first.get("releaseDate"), first.get("today"));

        Instant tagged = complete("0.77.1");
        Map<String, String> second = start("0.77.2", null);
        assertEquals("0.77.1", second.get("previousVersion"));
        assertEquals(tagged.toString(), second.get("previousReleaseTime"), "when 0.77.1's tag was made");
        assertEquals("refs/tags/0.77.1", second.get("fromRef"));
        assertEquals("0.77.1", start("0.77.3", null).get("previousVersion"), "0.77.2 still runs");

        assertTrue(releases.cancel("0.77.2", "alice", "test").accepted());
        fail("0.77.3");
        start("0.77.4", "proving");
        complete("0.77.4");
        Map<String, String> after = start("0.77.5", null);
        assertEquals("0.77.1", after.get("previousVersion"), "not the cancelled 0.77.2, the failed 0.77.3, the proving run 0.77.4");
        assertEquals(tagged.toString(), after.get("previousReleaseTime"));
        assertEquals("proving", releases.state("0.77.4").orElseThrow().kind(), "a proving run is marked in its release");
    }

    private Map<String, String> start(String version, String runbook) {
        Releases.Outcome o = releases.start(version, "patch", runbook, "alice");
        assertTrue(o.accepted(), () -> o.rejection().message());
        return releases.state(version).orElseThrow().variables();
    }

    /** Answers every requested step with success until the release completes; returns when its tag succeeded. */
    private Instant complete(String version) {
        Instant tagged = null;
        for (int i = 0; i < 50; i++) {
            ReleaseState s = releases.state(version).orElseThrow();
            if (s.status() == ReleaseState.ReleaseStatus.COMPLETED) {
                return tagged;
            }
            for (ReleaseState.StepState step : s.steps().values()) {
                if (step.status() == ReleaseState.StepStatus.REQUESTED) {
                    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    if (step.id().equals(ReleaseLog.TAG_STEP)) {
                        tagged = at;
                    }
                    Releases.Outcome o = releases.record(new Envelope(UUID.randomUUID().toString(), "/test/worker", version, at, null,
                            new ReleaseEvent.StepSucceeded(step.id(), step.attempt(), step.commandId(),
                                    Map.of("commit", "c0ffee", "head", "c0ffee", "pullRequest", 7))));
                    assertTrue(o.accepted(), () -> o.rejection().message());
                }
            }
        }
        throw new AssertionError("release " + version + " did not complete: " + releases.state(version));
    }

    private void fail(String version) {
        ReleaseState.StepState first = releases.state(version).orElseThrow().steps().values().iterator().next();
        releases.record(new Envelope(UUID.randomUUID().toString(), "/test/worker", version, Instant.now(), null,
                new ReleaseEvent.StepFailed(first.id(), first.attempt(), first.commandId(), "branch exists elsewhere", false)));
        assertEquals(ReleaseState.ReleaseStatus.FAILED, releases.state(version).orElseThrow().status());
    }
}
