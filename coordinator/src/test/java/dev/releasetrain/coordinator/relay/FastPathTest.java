package dev.releasetrain.coordinator.relay;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules that keep one release's events in order when two paths publish them. */
class FastPathTest {
    private final FastPath fast = new FastPath();

    @Test
    void aNewReleaseGoesFastFromItsFirstEventAndStaysFastWhileContiguous() {
        assertTrue(fast.claim("1.29.0", 1, 1));
        assertTrue(fast.claim("1.29.0", 2, 4));
        assertFalse(fast.claim("1.29.0", 6, 6), "seq 5 was never handed over: 6 must wait for the relay");
        assertFalse(fast.claim("1.29.0", 3, 3), "already handed over");
    }

    @Test
    void aReleaseWithUnknownHistoryWaitsUntilTheRelayPublishedItsEarlierEvents() {
        assertFalse(fast.claim("1.30.0", 7, 8), "after a restart nothing is known of the release");
        assertNull(fast.handOver("1.30.0", 5, "e5"), "no fast send: the relay sends seq 5 itself");
        assertFalse(fast.claim("1.30.0", 7, 7), "seq 6 is not out yet");
        assertNull(fast.handOver("1.30.0", 6, "e6"));
        assertTrue(fast.claim("1.30.0", 7, 7));
        assertNull(fast.handOver("1.30.0", 3, "e3"), "a redelivered older event is sent again");
        assertTrue(fast.claim("1.30.0", 8, 8), "and does not move the release back");
    }

    @Test
    void theRelayWaitsForTheFastSendOfAnEventInsteadOfSendingItAgain() {
        assertTrue(fast.claim("1.31.0", 1, 1));
        CompletableFuture<Void> send = fast.sending("e1");
        assertSame(send, fast.handOver("1.31.0", 1, "e1"));
        assertNull(fast.handOver("1.31.0", 1, "e1"), "read again (a restart): the relay sends it");
        assertTrue(fast.inFlight() == 0);
    }

    @Test
    void aFailedFastSendSendsTheReleaseBackThroughTheRelay() {
        assertTrue(fast.claim("1.32.0", 1, 2));
        fast.failed("1.32.0");
        assertFalse(fast.claim("1.32.0", 3, 3));
        fast.sentByRelay("1.32.0", 2);
        assertTrue(fast.claim("1.32.0", 3, 3));
    }

    @Test
    void aResetForgetsEverything() {
        assertTrue(fast.claim("1.33.0", 1, 5));
        fast.sending("e5");
        fast.reset();
        assertFalse(fast.claim("1.33.0", 6, 6));
        assertTrue(fast.inFlight() == 0);
    }
}
