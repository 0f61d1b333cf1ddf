package dev.releasetrain.coordinator.trace;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace context the coordinator writes with a release's events, without a tracer: what a release's state decides. */
class ReleaseTracesTest {
    static final String RELEASE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    static ReleaseTraces traces(boolean disabled) {
        ReleaseTraces t = new ReleaseTraces();
        t.disabled = disabled;
        return t;
    }

    static StepRequested request(String step, int attempt) {
        return new StepRequested(step, "git", attempt, "1.29.0/" + step + "/" + attempt, Map.of());
    }

    @Test
    void aCommandCarriesItsAttemptsSpanInTheReleasesTraceAndEveryOtherEventTheReleaseSpan() {
        ReleaseTraces t = traces(false);
        String first = t.contextOf(RELEASE, request("git.resolve-head", 1));
        assertTrue(first.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-") && first.endsWith("-01"), first);
        assertNotEquals(RELEASE, first, "the attempt's own span id");
        assertEquals(first, traces(false).contextOf(RELEASE, request("git.resolve-head", 1)),
                "the same on every instance: it follows from the trace and the command");
        assertNotEquals(first, t.contextOf(RELEASE, request("git.resolve-head", 2)), "the retry is another span");
        assertEquals(RELEASE, t.contextOf(RELEASE, new ReleaseEvent.ReleaseCompleted(List.of("git.resolve-head"))));
    }

    @Test
    void aReleaseWithoutTraceContextOrTracingOffGetsNone() {
        assertNull(traces(false).contextOf(null, request("git.resolve-head", 1)), "a release started while tracing was off");
        assertNull(traces(false).contextOf("not-a-traceparent", new ReleaseEvent.ReleaseCompleted(List.of())));
        assertNull(traces(true).contextOf(RELEASE, request("git.resolve-head", 1)));
        assertNull(traces(true).contextOf(RELEASE, new ReleaseEvent.ReleaseCompleted(List.of())));
        // nothing to record: no tracer is asked for
        traces(false).appended("1.29.0", null, List.of(new Envelope("e-1", "/w", "1.29.0", Instant.now(), 3L,
                new ReleaseEvent.StepSucceeded("git.resolve-head", 1, "1.29.0/git.resolve-head/1", Map.of()))));
    }
}
