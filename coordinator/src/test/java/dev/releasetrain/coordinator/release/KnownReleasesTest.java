package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownReleasesTest {

    /** A log whose n-th read (from 1) finds release 1.n.0 started at position 10·n. */
    static final class Log {
        final List<Long> asked = new CopyOnWriteArrayList<>();
        final CountDownLatch firstReadMayEnd = new CountDownLatch(1);
        final CountDownLatch firstReadBegan = new CountDownLatch(1);
        volatile boolean holdFirstRead;

        ReleaseLog.Started read(long after) {
            asked.add(after);
            int n = asked.size();
            if (n == 1 && holdFirstRead) {
                firstReadBegan.countDown();
                try {
                    assertTrue(firstReadMayEnd.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return new ReleaseLog.Started(List.of("1." + n + ".0"), 10L * n);
        }
    }

    @Test
    void eachCallReadsOnlyTheStartsAfterThePositionItReachedAndAddsTheConfiguredOnes() {
        Log log = new Log();
        KnownReleases known = new KnownReleases(log::read);
        assertEquals(Set.of("1.0.0", "1.1.0"), known.withBefore(List.of(" 1.0.0 ")));
        assertEquals(Set.of("1.0.0", "1.1.0", "1.2.0"), known.withBefore(List.of("1.0.0")));
        assertEquals(List.of(0L, 10L), log.asked, "the second read starts where the first ended");
    }

    @Test
    void callsThatWaitedForAReadShareTheNextOneWhichBeganAfterTheyAsked() throws Exception {
        Log log = new Log();
        log.holdFirstRead = true;
        KnownReleases known = new KnownReleases(log::read);
        CompletableFuture<Set<String>> first = CompletableFuture.supplyAsync(() -> known.withBefore(List.of()));
        assertTrue(log.firstReadBegan.await(10, TimeUnit.SECONDS));
        // three more callers ask while the first read runs: it began before they asked, so it cannot answer them
        List<CompletableFuture<Set<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> known.withBefore(List.of())));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (known.waiting() < 3) {
            assertTrue(System.nanoTime() < deadline, "three callers should be waiting for the read");
            Thread.onSpinWait();
        }
        log.firstReadMayEnd.countDown();

        assertEquals(Set.of("1.1.0"), first.get(10, TimeUnit.SECONDS));
        for (CompletableFuture<Set<String>> w : waiting) {
            assertEquals(Set.of("1.1.0", "1.2.0"), w.get(10, TimeUnit.SECONDS),
                    "each waiting caller sees what the read begun after it asked found");
        }
        assertEquals(2, log.asked.size(), "one read served the three callers that waited: " + log.asked);
        assertEquals(Set.of("1.1.0", "1.2.0", "1.3.0"), known.withBefore(List.of()), "a later call reads again");
    }
}
