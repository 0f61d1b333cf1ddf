package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.log.ReleaseLog;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The releases that may still have timers, whichever instance started them: every release started in
 * the log and not known to have ended. The first read takes every start and completion in the log; each
 * later one only those written since ({@link ReleaseLog#milestonesSince}). A cancelled release is
 * dropped when its state shows it ({@link #ended}): the log keeps no index of cancellations.
 */
final class ActiveReleases {
    private final LongFunction<ReleaseLog.Milestones> milestonesSince;
    private final Set<String> ids = new LinkedHashSet<>();
    private long from;

    ActiveReleases(LongFunction<ReleaseLog.Milestones> milestonesSince) {
        this.milestonesSince = milestonesSince;
    }

    /** Reads what started or completed since the last call; answers the releases not known to have ended. */
    synchronized Set<String> refresh() {
        ReleaseLog.Milestones m = milestonesSince.apply(from);
        for (ReleaseLog.Start s : m.starts()) {
            ids.add(s.releaseId());
        }
        for (ReleaseLog.Completion c : m.completions()) {
            ids.remove(c.releaseId());
        }
        from = m.nextFrom();
        return Set.copyOf(ids);
    }

    /** The release ended (completed or cancelled): no timer of it fires again. */
    synchronized void ended(String releaseId) {
        ids.remove(releaseId);
    }
}
