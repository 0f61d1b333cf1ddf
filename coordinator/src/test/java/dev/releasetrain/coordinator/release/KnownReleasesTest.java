package dev.releasetrain.coordinator.release;

import org.awaitility.Awaitility;
import dev.releasetrain.coordinator.log.ReleaseLog;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

        ReleaseLog.Milestones read(long after) {
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
            return new ReleaseLog.Milestones(List.of(new ReleaseLog.Start("1." + n + ".0", "minor")), List.of(), 10L * n);
        }
    }

    @Test
    void eachCallReadsOnlyTheStartsAfterThePositionItReachedAndAddsTheConfiguredOnes() {
        Log log = new Log();
        KnownReleases known = new KnownReleases(log::read);
        assertEquals(Set.of("1.0.0", "1.1.0"), known.withBefore(List.of(" 1.0.0 ")).releases());
        assertEquals(Set.of("1.0.0", "1.1.0", "1.2.0"), known.withBefore(List.of("1.0.0")).releases());
        assertEquals(List.of(0L, 10L), log.asked, "the second read starts where the first ended");
    }

    @Test
    void callsThatWaitedForAReadShareTheNextOneWhichBeganAfterTheyAsked() throws Exception {
        Log log = new Log();
        log.holdFirstRead = true;
        KnownReleases known = new KnownReleases(log::read);
        CompletableFuture<Set<String>> first = CompletableFuture.supplyAsync(() -> known.withBefore(List.of()).releases());
        assertTrue(log.firstReadBegan.await(10, TimeUnit.SECONDS));
        // three more callers ask while the first read runs: it began before they asked, so it cannot answer them
        List<CompletableFuture<Set<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(CompletableFuture.supplyAsync(() -> known.withBefore(List.of()).releases()));
        }
        Awaitility.await("three callers waiting for the read").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> known.waiting() >= 3);
        log.firstReadMayEnd.countDown();

        assertEquals(Set.of("1.1.0"), first.get(10, TimeUnit.SECONDS));
        for (CompletableFuture<Set<String>> w : waiting) {
            assertEquals(Set.of("1.1.0", "1.2.0"), w.get(10, TimeUnit.SECONDS),
                    "each waiting caller sees what the read begun after it asked found");
        }
        assertEquals(2, log.asked.size(), "one read served the three callers that waited: " + log.asked);
        assertEquals(Set.of("1.1.0", "1.2.0", "1.3.0"), known.withBefore(List.of()).releases(), "a later call reads again");
    }

    @Test
    void provingRunsHoldTheirVersionButNeverCountAndOnlyCompletedReleasesAreReleased() {
        Instant tagged = Instant.parse("2026-11-30T14:05:00Z");
        Instant completed = Instant.parse("2026-11-30T14:30:00Z");
        List<ReleaseLog.Milestones> reads = new ArrayList<>(List.of(
                new ReleaseLog.Milestones(List.of(new ReleaseLog.Start("1.29.0", "minor"), new ReleaseLog.Start("1.30.0", "proving"),
                        new ReleaseLog.Start("1.31.0", "minor")), List.of(), 5),
                new ReleaseLog.Milestones(List.of(), List.of(new ReleaseLog.Completion("1.29.0", completed),
                        new ReleaseLog.Completion("1.30.0", completed)), 9)));
        KnownReleases known = new KnownReleases(from -> reads.remove(0));

        KnownVersions first = known.withBefore(List.of("1.28.3"));
        assertEquals(Set.of("1.28.3", "1.29.0", "1.31.0"), first.releases(), "a proving run is no release");
        assertEquals(Set.of("1.28.3"), first.released(), "nothing completed yet");
        assertEquals(Set.of("1.28.3", "1.29.0", "1.30.0", "1.31.0"), first.taken(), "every release id is in use");

        KnownVersions second = known.withBefore(List.of("1.28.3"));
        assertEquals(Set.of("1.28.3", "1.29.0"), second.released(), "the completed proving run is not released");
        assertEquals(tagged.toString(), second.releaseTime("1.29.0", v -> Optional.of(tagged)), "a release is dated by its tag");
        assertEquals("", second.releaseTime("1.28.3", v -> Optional.of(tagged)), "released before Release Train: unknown");
        assertEquals("", second.releaseTime("1.30.0", v -> Optional.of(tagged)), "a proving run is never a release");
        assertEquals("1.29.0", second.previous("1.31.0", "minor"));
        assertEquals("1.29.0", second.previous("1.29.1", "patch"));
        assertEquals("", second.previous("1.31.1", "patch"), "1.31.0 has not completed");
    }

    @Test
    void aReleaseWithoutATagIsDatedByItsCompletion() {
        Instant completed = Instant.parse("2026-12-01T10:00:00Z");
        KnownReleases known = new KnownReleases(from -> new ReleaseLog.Milestones(List.of(new ReleaseLog.Start("2.0.0", "minor")),
                List.of(new ReleaseLog.Completion("2.0.0", completed)), 1));
        assertEquals(completed.toString(), known.withBefore(List.of()).releaseTime("2.0.0", v -> Optional.empty()));
    }
}
