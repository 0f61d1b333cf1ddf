package dev.releasetrain.coordinator.calendar;

import java.time.YearMonth;
import java.util.Optional;

/**
 * The version released (or to be released) in a month, when known; the release log knows it
 * ({@link CalendarSchedule}). The calendar and its feed name the version when this answers one.
 * {@link #NONE} knows none.
 */
@FunctionalInterface
public interface VersionForMonth {
    VersionForMonth NONE = ym -> Optional.empty();

    Optional<String> versionFor(YearMonth month);
}
