package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The releases in the log, for the version rules of {@code POST /releases}: which were started (and
 * whether as a proving run) and which completed, and when. Read once, then only the starts and
 * completions since the last read (by this or another instance).
 *
 * <p>Reads are shared: a caller that waited while another caller's read ran takes the next read, and
 * every caller that asked before that next read began takes its answer too. Each answer still comes
 * from a read that began after the caller asked, so it holds every release started or completed before
 * the call; but {@code n} concurrent starts cost about two reads instead of {@code n}, each waiting for
 * all the others: under load, one read per {@code POST} queued every start behind every other's read.
 */
final class KnownReleases {
    private final LongFunction<ReleaseLog.Milestones> milestonesSince;
    private final ReentrantLock reading = new ReentrantLock();
    /** Guarded by {@link #reading}: every release id in the log. */
    private final Set<String> started = new LinkedHashSet<>();
    /** Guarded by {@link #reading}: the release ids of proving runs. */
    private final Set<String> proving = new HashSet<>();
    /** Guarded by {@link #reading}: completed releases and when they completed. */
    private final Map<String, Instant> completed = new HashMap<>();
    /** Guarded by {@link #reading}: where the next read starts ({@link ReleaseLog.Milestones#nextFrom()}; 0: all). */
    private long from;
    /** Guarded by {@link #reading}: {@link System#nanoTime()} when the last finished read began. */
    private long lastReadBegan;

    /** @param milestonesSince reads the starts and completions since a read ({@link ReleaseLog#milestonesSince}) */
    KnownReleases(LongFunction<ReleaseLog.Milestones> milestonesSince) {
        this.milestonesSince = milestonesSince;
        this.lastReadBegan = System.nanoTime() - 1;
    }

    /** {@code before} (versions released before Release Train) and every release started or completed before this call. */
    KnownVersions withBefore(List<String> before) {
        long asked = System.nanoTime();
        reading.lock();
        try {
            if (lastReadBegan - asked <= 0) {
                // no read began after this call: read
                long began = System.nanoTime();
                ReleaseLog.Milestones since = milestonesSince.apply(from);
                for (ReleaseLog.Start s : since.starts()) {
                    started.add(s.releaseId());
                    if (KnownVersions.PROVING.equals(s.kind())) {
                        proving.add(s.releaseId());
                    }
                }
                for (ReleaseLog.Completion c : since.completions()) {
                    completed.put(c.releaseId(), c.completedAt());
                }
                from = since.nextFrom();
                lastReadBegan = began;
            }
            return KnownVersions.of(before, started, proving, completed);
        } finally {
            reading.unlock();
        }
    }

    /** How many callers wait for a read (for tests). */
    int waiting() {
        return reading.getQueueLength();
    }
}
