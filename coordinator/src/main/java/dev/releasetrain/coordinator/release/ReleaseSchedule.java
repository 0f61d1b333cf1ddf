package dev.releasetrain.coordinator.release;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * When a release starting now is frozen and launched, and who owns it. The calendar implements it
 * (last Monday of the month, the Wednesday before, holidays, the owner rotation).
 */
public interface ReleaseSchedule {

    /** The dates and owner of the release whose launch is next on or after {@code now}. */
    Slot slotFor(Instant now);

    /** When the "break the release" session of the release launched on {@code releaseDate} starts, if known. */
    default java.util.Optional<Instant> breakTheRelease(LocalDate releaseDate) {
        return java.util.Optional.empty();
    }

    /** {@code zone}: the calendar's time zone, in which a release's dates are days. */
    record Slot(LocalDate freezeDate, Instant freezeTime, LocalDate releaseDate, Instant releaseTime,
                String owner, String ownerSlack, ZoneId zone) {
    }
}
