package dev.releasetrain.coordinator.calendar;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the scheduler does on each tick: once the clock has reached a month's freeze time (and not yet
 * its release time), start that month's release, once. A month already started by this instance is
 * skipped; a starter that throws is called again on the next tick. After a restart, or on a second
 * instance, the month may be started again: {@link MonthlyReleaseStarter} tolerates that.
 */
public final class AutoStarter {
    private static final Logger LOG = Logger.getLogger(AutoStarter.class);

    private final ReleaseCalendar calendar;
    private final MonthlyReleaseStarter starter;
    private final Clock clock;
    private final Set<YearMonth> started = new HashSet<>();

    public AutoStarter(ReleaseCalendar calendar, MonthlyReleaseStarter starter, Clock clock) {
        this.calendar = calendar;
        this.starter = starter;
        this.clock = clock;
    }

    /** Starts the current month's release if its freeze has come; answers the month started now, if any. */
    public synchronized Optional<ReleaseCalendar.Month> tick() {
        Instant now = clock.instant();
        ReleaseCalendar.Month month = calendar.month(YearMonth.from(now.atZone(calendar.zone())));
        if (now.isBefore(month.freezeTime()) || !now.isBefore(month.releaseTime()) || started.contains(month.yearMonth())) {
            return Optional.empty();
        }
        try {
            starter.startMonthlyRelease(month);
        } catch (RuntimeException e) {
            LOG.errorf("code freeze of %s: starting the monthly release failed (%s: %s); trying again on the next tick",
                    month.yearMonth(), e.getClass().getSimpleName(), e.getMessage());
            return Optional.empty();
        }
        started.add(month.yearMonth());
        LOG.infof("code freeze of %s (%s): monthly release started, owner %s", month.yearMonth(), month.freezeTime(),
                month.owner().name());
        return Optional.of(month);
    }
}
