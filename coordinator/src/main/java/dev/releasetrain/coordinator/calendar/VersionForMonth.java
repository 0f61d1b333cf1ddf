package dev.releasetrain.coordinator.calendar;

import java.time.YearMonth;
import java.util.Optional;

/**
 * The version released (or to be released) in a month, when known; the release log knows it. The
 * calendar and its feed name the version when this answers one. Provide a CDI bean of this type to
 * replace the default, which knows none.
 */
@FunctionalInterface
public interface VersionForMonth {
    VersionForMonth NONE = ym -> Optional.empty();

    Optional<String> versionFor(YearMonth month);
}
