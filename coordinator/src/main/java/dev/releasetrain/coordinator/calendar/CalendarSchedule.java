package dev.releasetrain.coordinator.calendar;

import dev.releasetrain.coordinator.log.ClusterLock;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.coordinator.release.ReleaseSchedule;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.runbook.Runbook;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;

/**
 * Joins the calendar to the releases: a release's dates and owner come from the calendar month
 * whose launch is next; the calendar feed names each month's version from the log; the
 * auto-start scheduler starts the month's release unless the log already has one for that month.
 */
@ApplicationScoped
public class CalendarSchedule implements ReleaseSchedule, VersionForMonth, MonthlyReleaseStarter {
    private static final Logger LOG = Logger.getLogger(CalendarSchedule.class);
    public static final String STARTED_BY = "calendar";

    @Inject
    ReleaseCalendar calendar;
    @Inject
    ReleaseLog log;
    @Inject
    Releases releases;
    @Inject
    ClusterLock lock;
    private static final String AUTO_START_LOCK = "release-train-calendar-auto-start";

    @Override
    public Slot slotFor(Instant now) {
        ReleaseCalendar.Month m = calendar.nextRelease(now);
        return new Slot(m.freezeDate(), m.freezeTime(), m.releaseDate(), m.releaseTime(), m.owner().name(), m.owner().slack(),
                calendar.zone());
    }

    @Override
    public Optional<Instant> breakTheRelease(java.time.LocalDate releaseDate) {
        return Optional.of(calendar.monthFor(releaseDate).breakTheReleaseTime());
    }

    @Override
    public Optional<String> versionFor(YearMonth month) {
        String releaseDate = calendar.month(month).releaseDate().toString();
        for (String id : log.releaseIds()) {
            var state = releases.state(id);
            if (state.isPresent() && Runbook.MINOR.equals(state.get().kind())
                    && releaseDate.equals(state.get().variables().get("releaseDate"))
                    && state.get().status() != dev.releasetrain.coordinator.release.ReleaseState.ReleaseStatus.CANCELLED) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    @Override
    public void startMonthlyRelease(ReleaseCalendar.Month month) {
        // One instance at a time: two that both find no release for the month would otherwise count two
        // versions from the log (the second after the first's start) and start both.
        if (!lock.ifFree(AUTO_START_LOCK, () -> startUnlessStarted(month))) {
            throw new IllegalStateException("code freeze of " + month.yearMonth() + ": another instance is starting the month's release");
        }
    }

    private void startUnlessStarted(ReleaseCalendar.Month month) {
        Optional<String> existing = versionFor(month.yearMonth());
        if (existing.isPresent()) {
            LOG.debugf("%s already has release %s", month.yearMonth(), existing.get());
            return;
        }
        Releases.Outcome outcome = releases.start(null, "minor", null, STARTED_BY);
        if (outcome.accepted()) {
            LOG.infof("code freeze of %s: started release %s", month.yearMonth(), outcome.appended().get(0).releaseId());
        } else {
            throw new IllegalStateException("code freeze of " + month.yearMonth() + ": could not start the release: "
                    + outcome.rejection().message());
        }
    }
}
