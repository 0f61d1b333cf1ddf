package dev.releasetrain.coordinator.timeline;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who ran an attempt and when it began: from its StepStarted, or from its result when the step sent none. */
class TimelineTest {
    static final Instant T0 = Instant.parse("2026-11-26T16:00:00Z");

    final List<Envelope> stream = new ArrayList<>();

    void at(long ms, ReleaseEvent e) {
        stream.add(new Envelope("e-" + stream.size(), "/test", "1.29.0", T0.plusMillis(ms), (long) stream.size() + 1, e));
    }

    @Test
    void aStepThatSentNoStartIsStartedWhenAndOnWhichWorkerItsResultSays() {
        at(0, new ReleaseEvent.StepRequested("git.resolve-head", "git", 1, "c-1", Map.of()));
        at(40, new ReleaseEvent.StepSucceeded("git.resolve-head", 1, "c-1", Map.of("commit", "abc"), "git-service@host-1",
                T0.plusMillis(10)));
        at(50, new ReleaseEvent.StepRequested("notify.post-message", "notify", 1, "c-2", Map.of()));
        at(60, new ReleaseEvent.StepFailed("notify.post-message", 1, "c-2", "invalid_auth", false, "notify-service@host-2",
                T0.plusMillis(55)));

        Timeline t = Timeline.of("1.29.0", stream);

        Timeline.Attempt resolve = t.steps().get(0).attempts().get(0);
        assertEquals(T0.plusMillis(10), resolve.startedAt());
        assertEquals("git-service@host-1", resolve.worker());
        assertEquals(10L, resolve.queueMs());
        assertEquals(30L, resolve.runMs());
        Timeline.Attempt post = t.steps().get(1).attempts().get(0);
        assertEquals("failed", post.status());
        assertEquals(T0.plusMillis(55), post.startedAt());
        assertEquals("notify-service@host-2", post.worker());
    }

    @Test
    void aStartThatWasSentIsKeptAndAResultOfBeforeTheFieldsStillEndsTheAttempt() {
        at(0, new ReleaseEvent.StepRequested("deploy.wait", "deploy", 1, "c-1", Map.of()));
        at(300, new ReleaseEvent.StepStarted("deploy.wait", 1, "c-1", "deploy-service@host-1"));
        at(900, new ReleaseEvent.StepSucceeded("deploy.wait", 1, "c-1", Map.of(), "deploy-service@host-1", T0.plusMillis(20)));
        at(1000, new ReleaseEvent.StepRequested("git.tag-release", "git", 1, "c-2", Map.of()));
        at(1100, new ReleaseEvent.StepSucceeded("git.tag-release", 1, "c-2", Map.of()));

        Timeline t = Timeline.of("1.29.0", stream);

        Timeline.Attempt wait = t.steps().get(0).attempts().get(0);
        assertEquals(T0.plusMillis(300), wait.startedAt(), "the StepStarted the log holds");
        assertEquals(600L, wait.runMs());
        Timeline.Attempt tag = t.steps().get(1).attempts().get(0);
        assertEquals("succeeded", tag.status());
        assertEquals(null, tag.startedAt());
        assertEquals(null, tag.worker());
    }
}
