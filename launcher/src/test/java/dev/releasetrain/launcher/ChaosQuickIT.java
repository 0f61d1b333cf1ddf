package dev.releasetrain.launcher;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chaos run, short: two monthly releases at once (they share the playground, master's version files and
 * latest-release) while notify/git/cdn/deploy is killed in the middle of an external call (the stand-in holds the
 * call until the service is dead) and the coordinator halts right after an append committed, before it is
 * published; both releases complete, no effect happens twice, no event is lost.
 */
class ChaosQuickIT {
    /**
     * A seed whose plan halts the coordinator first (at its next append, a few seconds in) and then holds a Slack
     * post, which both releases make from start to end: both kills land before the releases end. A seed that holds
     * CloudFront's invalidation, made near a release's end, can find the releases over before its second kill.
     */
    private static final long SEED = 18944;

    @Test
    void twoReleasesSurviveAServiceKilledMidCallAndTheCoordinatorKilledAfterAnAppend() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        int code = new Chaos(out, 2, SEED, 2, List.of(Chaos.Kind.SERVICE_MID_CALL, Chaos.Kind.COORDINATOR_APPEND)).run();
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("chaos: releases=2 completed=2 kills=2 duplicate_effects=0 lost_events=0 seed=" + SEED), text);
    }
}
