package dev.releasetrain.worker;

import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLogTest {

    static Envelope result(String commandId) {
        return Envelope.of("/release-train/git-service", "1.29.0", new StepSucceeded("s", 1, commandId, Map.of()));
    }

    @Test
    void remembersOnlyTheLastCompletedCommands() {
        CommandLog log = new CommandLog(2);
        for (String id : new String[]{"a", "b", "c"}) {
            assertEquals(CommandLog.Claim.CLAIMED, log.claim(id));
            log.complete(id, result(id));
        }

        assertEquals(2, log.completedCount());
        assertEquals(CommandLog.Claim.CLAIMED, log.claim("a"), "the oldest was forgotten");
        assertEquals(CommandLog.Claim.COMPLETED, log.claim("c"));
        assertTrue(log.resultOf("c").isPresent());
    }

    @Test
    void anAbandonedCommandCanBeClaimedAgain() {
        CommandLog log = new CommandLog(10);
        log.claim("a");
        assertEquals(CommandLog.Claim.IN_PROGRESS, log.claim("a"));

        log.abandon("a");

        assertEquals(CommandLog.Claim.CLAIMED, log.claim("a"));
    }
}
