package dev.releasetrain.coordinator.calendar;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The monthly release calendar, as the runbook defines it: the release is on the <b>last Monday</b> of
 * the month, the code freeze on the <b>Wednesday before</b> it (five days earlier). A holiday moves
 * either date to the previous business day (Monday to Friday, not a holiday), as often as needed; the
 * freeze always stays strictly before the release. Each month has a release owner from a rotation
 * that starts with its first person in {@code rotationStart} and wraps in both directions.
 * <p>
 * Pure: no clock, no I/O, immutable and thread-safe. The same settings give the same answer for any year.
 */
public final class ReleaseCalendar {

    /** A release owner: a display name and the Slack user id to mention. */
    public record Person(String name, String slack) {
        public Person {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(slack, "slack");
        }
    }

    /**
     * One month of the calendar. Times are instants (the configured time of day in the configured zone).
     * {@code breakTheReleaseTime} is the "break the release" session, right after the freeze.
     */
    public record Month(YearMonth yearMonth, LocalDate freezeDate, Instant freezeTime, Instant breakTheReleaseTime,
                        LocalDate releaseDate, Instant releaseTime, Person owner) {
    }

    public static final LocalTime DEFAULT_FREEZE_TIME = LocalTime.of(14, 0);
    public static final LocalTime DEFAULT_RELEASE_TIME = LocalTime.of(14, 0);
    public static final Duration DEFAULT_BREAK_THE_RELEASE_AFTER = Duration.ofHours(2);

    private final ZoneId zone;
    private final LocalTime freezeTime;
    private final LocalTime releaseTime;
    private final Duration breakTheReleaseAfter;
    private final Set<LocalDate> holidays;
    private final List<Person> rotation;
    private final YearMonth rotationStart;

    public ReleaseCalendar(ZoneId zone, LocalTime freezeTime, LocalTime releaseTime, Duration breakTheReleaseAfter,
                           Set<LocalDate> holidays, List<Person> rotation, YearMonth rotationStart) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.freezeTime = Objects.requireNonNull(freezeTime, "freezeTime");
        this.releaseTime = Objects.requireNonNull(releaseTime, "releaseTime");
        this.breakTheReleaseAfter = Objects.requireNonNull(breakTheReleaseAfter, "breakTheReleaseAfter");
        if (breakTheReleaseAfter.isNegative()) {
            throw new IllegalArgumentException("breakTheReleaseAfter must not be negative");
        }
        this.holidays = Set.copyOf(holidays);
        this.rotation = List.copyOf(rotation);
        if (this.rotation.isEmpty()) {
            throw new IllegalArgumentException("the rotation needs at least one person");
        }
        this.rotationStart = Objects.requireNonNull(rotationStart, "rotationStart");
    }

    /** Defaults: freeze and release at 14:00 UTC, break-the-release session two hours after the freeze. */
    public static ReleaseCalendar of(List<Person> rotation, YearMonth rotationStart, Set<LocalDate> holidays) {
        return new ReleaseCalendar(ZoneId.of("UTC"), DEFAULT_FREEZE_TIME, DEFAULT_RELEASE_TIME,
                DEFAULT_BREAK_THE_RELEASE_AFTER, holidays, rotation, rotationStart);
    }

    public ZoneId zone() {
        return zone;
    }

    public Month month(YearMonth ym) {
        LocalDate lastMonday = ym.atEndOfMonth().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        LocalDate release = businessDayOnOrBefore(lastMonday);
        LocalDate freeze = businessDayOnOrBefore(lastMonday.minusDays(5));
        if (!freeze.isBefore(release)) {
            freeze = businessDayOnOrBefore(release.minusDays(1));
        }
        Instant freezeAt = freeze.atTime(freezeTime).atZone(zone).toInstant();
        Instant releaseAt = release.atTime(releaseTime).atZone(zone).toInstant();
        return new Month(ym, freeze, freezeAt, freezeAt.plus(breakTheReleaseAfter), release, releaseAt, owner(ym));
    }

    /** The twelve months of {@code year}, January first. */
    public List<Month> year(int year) {
        List<Month> months = new ArrayList<>(12);
        for (int m = 1; m <= 12; m++) {
            months.add(month(YearMonth.of(year, m)));
        }
        return months;
    }

    /** The calendar month {@code date} falls in (its freeze and release are always in that same month). */
    public Month monthFor(LocalDate date) {
        return month(YearMonth.from(date));
    }

    /** The month whose release time is the first one at or after {@code instant}. */
    public Month nextRelease(Instant instant) {
        YearMonth ym = YearMonth.from(instant.atZone(zone));
        Month m = month(ym);
        // A release is always in its own month, so this month's or the next month's is the one.
        return m.releaseTime().isBefore(instant) ? month(ym.plusMonths(1)) : m;
    }

    /** The owner of {@code ym}: the rotation, one person a month from {@code rotationStart}, wrapping both ways. */
    public Person owner(YearMonth ym) {
        long offset = ymIndex(ym) - ymIndex(rotationStart);
        return rotation.get((int) Math.floorMod(offset, (long) rotation.size()));
    }

    /** {@code date} if it is a business day, else the nearest business day before it. */
    public LocalDate businessDayOnOrBefore(LocalDate date) {
        LocalDate d = date;
        while (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY || holidays.contains(d)) {
            d = d.minusDays(1);
        }
        return d;
    }

    private static long ymIndex(YearMonth ym) {
        return ym.getYear() * 12L + (ym.getMonthValue() - 1);
    }
}
