package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The releases in the log, for the version rules of {@code POST /releases}: read once, then only those
 * started since the last read (by this or another instance).
 *
 * <p>Reads are shared: a caller that waited while another caller's read ran takes the next read, and
 * every caller that asked before that next read began takes its answer too. Each answer still comes
 * from a read that began after the caller asked, so it holds every release started before the call;
 * but {@code n} concurrent starts cost about two reads instead of {@code n}, each waiting for all the
 * others: under load, one read per {@code POST} queued every start behind every other's read.
 */
final class KnownReleases {
    private final LongFunction<ReleaseLog.Started> startedSince;
    private final ReentrantLock reading = new ReentrantLock();
    /** Guarded by {@link #reading}. */
    private final Set<String> started = new LinkedHashSet<>();
    /** Guarded by {@link #reading}: where the next read starts ({@link ReleaseLog.Started#nextFrom()}; 0: all). */
    private long from;
    /** Guarded by {@link #reading}: {@link System#nanoTime()} when the last finished read began. */
    private long lastReadBegan;

    /** @param startedSince reads the releases started since a read ({@link ReleaseLog#releasesStartedSince}) */
    KnownReleases(LongFunction<ReleaseLog.Started> startedSince) {
        this.startedSince = startedSince;
        this.lastReadBegan = System.nanoTime() - 1;
    }

    /** {@code before} (versions released before Release Train) and every release started before this call. */
    Set<String> withBefore(List<String> before) {
        long asked = System.nanoTime();
        reading.lock();
        try {
            if (lastReadBegan - asked <= 0) {
                // no read began after this call: read
                long began = System.nanoTime();
                ReleaseLog.Started since = startedSince.apply(from);
                started.addAll(since.releaseIds());
                from = since.nextFrom();
                lastReadBegan = began;
            }
            Set<String> known = new LinkedHashSet<>(before.size() + started.size());
            before.forEach(v -> known.add(v.trim()));
            known.addAll(started);
            return known;
        } finally {
            reading.unlock();
        }
    }

    /** How many callers wait for a read (for tests). */
    int waiting() {
        return reading.getQueueLength();
    }
}
