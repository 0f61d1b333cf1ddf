package dev.releasetrain.coordinator.calendar;

/**
 * Starts a month's minor release; called by {@link AutoStartScheduler} at the month's freeze time when
 * {@code release-train.calendar.auto-start.enabled=true}. The scheduler calls it once per month per
 * process, but after a restart or on another instance it may be called again for the same month: an
 * implementation must treat a second call for a month whose release exists as done (no error, no
 * second release). Throwing makes the scheduler try again on its next tick.
 */
public interface MonthlyReleaseStarter {
    void startMonthlyRelease(ReleaseCalendar.Month month);
}
