package dev.releasetrain.coordinator.calendar;

import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReleaseCalendarTest {
    static final List<ReleaseCalendar.Person> ROTATION = List.of(
            new ReleaseCalendar.Person("alice", "U0ALICE"),
            new ReleaseCalendar.Person("bob", "U0BOB"),
            new ReleaseCalendar.Person("carol", "U0CAROL"));

    static ReleaseCalendar calendar(String... holidays) {
        return ReleaseCalendar.of(ROTATION, YearMonth.of(2026, 1),
                java.util.Arrays.stream(holidays).map(LocalDate::parse).collect(java.util.stream.Collectors.toSet()));
    }

    /** The last Monday of every month of 2026 and 2027, read off a printed calendar. */
    static final List<String> LAST_MONDAYS = List.of(
            "2026-01-26", "2026-02-23", "2026-03-30", "2026-04-27", "2026-05-25", "2026-06-29",
            "2026-07-27", "2026-08-31", "2026-09-28", "2026-10-26", "2026-11-30", "2026-12-28",
            "2027-01-25", "2027-02-22", "2027-03-29", "2027-04-26", "2027-05-31", "2027-06-28",
            "2027-07-26", "2027-08-30", "2027-09-27", "2027-10-25", "2027-11-29", "2027-12-27");
    /** The Wednesday before each of them. */
    static final List<String> FREEZES = List.of(
            "2026-01-21", "2026-02-18", "2026-03-25", "2026-04-22", "2026-05-20", "2026-06-24",
            "2026-07-22", "2026-08-26", "2026-09-23", "2026-10-21", "2026-11-25", "2026-12-23",
            "2027-01-20", "2027-02-17", "2027-03-24", "2027-04-21", "2027-05-26", "2027-06-23",
            "2027-07-21", "2027-08-25", "2027-09-22", "2027-10-20", "2027-11-24", "2027-12-22");

    @Test
    void releasesAreOnTheLastMondayAndTheFreezeOnTheWednesdayBefore() {
        ReleaseCalendar c = calendar();
        List<ReleaseCalendar.Month> months = new java.util.ArrayList<>(c.year(2026));
        months.addAll(c.year(2027));
        assertEquals(24, months.size());
        for (int i = 0; i < 24; i++) {
            ReleaseCalendar.Month m = months.get(i);
            assertEquals(YearMonth.of(2026 + i / 12, i % 12 + 1), m.yearMonth());
            assertEquals(LocalDate.parse(LAST_MONDAYS.get(i)), m.releaseDate(), m.yearMonth().toString());
            assertEquals(LocalDate.parse(FREEZES.get(i)), m.freezeDate(), m.yearMonth().toString());
            assertEquals(DayOfWeek.MONDAY, m.releaseDate().getDayOfWeek());
            assertEquals(DayOfWeek.WEDNESDAY, m.freezeDate().getDayOfWeek());
        }
    }

    @Test
    void timesDefaultTo1400UtcAndBreakTheReleaseTwoHoursAfterTheFreeze() {
        ReleaseCalendar.Month nov = calendar().month(YearMonth.of(2026, 11));
        assertEquals(Instant.parse("2026-11-25T14:00:00Z"), nov.freezeTime());
        assertEquals(Instant.parse("2026-11-25T16:00:00Z"), nov.breakTheReleaseTime());
        assertEquals(Instant.parse("2026-11-30T14:00:00Z"), nov.releaseTime());
    }

    @Test
    void timesFollowTheConfiguredZoneIncludingDaylightSaving() {
        ReleaseCalendar ny = new ReleaseCalendar(ZoneId.of("America/New_York"), LocalTime.of(10, 0), LocalTime.of(15, 30),
                Duration.ofMinutes(90), Set.of(), ROTATION, YearMonth.of(2026, 1));
        ReleaseCalendar.Month nov = ny.month(YearMonth.of(2026, 11)); // EST, UTC-5
        assertEquals(Instant.parse("2026-11-25T15:00:00Z"), nov.freezeTime());
        assertEquals(Instant.parse("2026-11-25T16:30:00Z"), nov.breakTheReleaseTime());
        assertEquals(Instant.parse("2026-11-30T20:30:00Z"), nov.releaseTime());
        ReleaseCalendar.Month jul = ny.month(YearMonth.of(2026, 7)); // EDT, UTC-4
        assertEquals(Instant.parse("2026-07-22T14:00:00Z"), jul.freezeTime());
        assertEquals(Instant.parse("2026-07-27T19:30:00Z"), jul.releaseTime());
    }

    @Test
    void aHolidayMovesTheReleaseToThePreviousBusinessDay() {
        // Monday 2026-11-30 is a holiday: the release is on Friday 2026-11-27.
        ReleaseCalendar.Month nov = calendar("2026-11-30").month(YearMonth.of(2026, 11));
        assertEquals(LocalDate.of(2026, 11, 27), nov.releaseDate());
        assertEquals(Instant.parse("2026-11-27T14:00:00Z"), nov.releaseTime());
        assertEquals(LocalDate.of(2026, 11, 25), nov.freezeDate(), "the freeze does not move");
    }

    @Test
    void aHolidayMovesTheFreezeToThePreviousBusinessDay() {
        ReleaseCalendar.Month nov = calendar("2026-11-25").month(YearMonth.of(2026, 11));
        assertEquals(LocalDate.of(2026, 11, 24), nov.freezeDate());
        assertEquals(Instant.parse("2026-11-24T14:00:00Z"), nov.freezeTime());
        assertEquals(LocalDate.of(2026, 11, 30), nov.releaseDate(), "the release does not move");
    }

    @Test
    void holidayChainsSkipWeekendsAndEveryHoliday() {
        // Monday 28 and Friday 25 December 2026 are holidays: over the weekend to Thursday the 24th.
        ReleaseCalendar.Month dec = calendar("2026-12-28", "2026-12-25").month(YearMonth.of(2026, 12));
        assertEquals(LocalDate.of(2026, 12, 24), dec.releaseDate());
        assertEquals(LocalDate.of(2026, 12, 23), dec.freezeDate());
        // Freeze on Wednesday 23, Tuesday 22 and Monday 21 December all holidays: Friday the 18th.
        ReleaseCalendar.Month dec2 = calendar("2026-12-23", "2026-12-22", "2026-12-21").month(YearMonth.of(2026, 12));
        assertEquals(LocalDate.of(2026, 12, 18), dec2.freezeDate());
        assertEquals(LocalDate.of(2026, 12, 28), dec2.releaseDate());
    }

    @Test
    void theFreezeStaysBeforeAReleaseThatHolidaysPushedOntoIt() {
        // Monday 29, Friday 26 and Thursday 25 March 2027 are holidays: the release lands on Wednesday the
        // 24th, the freeze day, so the freeze moves to Tuesday the 23rd.
        ReleaseCalendar.Month mar = calendar("2027-03-29", "2027-03-26", "2027-03-25").month(YearMonth.of(2027, 3));
        assertEquals(LocalDate.of(2027, 3, 24), mar.releaseDate());
        assertEquals(LocalDate.of(2027, 3, 23), mar.freezeDate());
        assertTrue(mar.freezeTime().isBefore(mar.releaseTime()));
    }

    @Test
    void ownersRotateMonthByMonthFromTheAnchorAcrossYearsAndBackwards() {
        ReleaseCalendar c = calendar();
        assertEquals("alice", c.month(YearMonth.of(2026, 1)).owner().name());
        assertEquals("bob", c.month(YearMonth.of(2026, 2)).owner().name());
        assertEquals("carol", c.month(YearMonth.of(2026, 3)).owner().name());
        assertEquals("alice", c.month(YearMonth.of(2026, 4)).owner().name());
        assertEquals("carol", c.month(YearMonth.of(2026, 12)).owner().name());
        assertEquals("alice", c.month(YearMonth.of(2027, 1)).owner().name());
        assertEquals("U0ALICE", c.month(YearMonth.of(2027, 1)).owner().slack());
        // Before the anchor the rotation runs backwards: December 2025 is the last person's.
        assertEquals("carol", c.month(YearMonth.of(2025, 12)).owner().name());
        assertEquals("bob", c.month(YearMonth.of(2025, 11)).owner().name());
        assertEquals("alice", c.month(YearMonth.of(2025, 1)).owner().name());
        assertEquals("bob", c.month(YearMonth.of(2000, 2)).owner().name()); // 311 months before: 311 % 3 = 2 -> back two
        assertEquals(c.owner(YearMonth.of(2100, 12)), c.owner(YearMonth.of(2100, 12).minusMonths(3)));
    }

    @Test
    void nextReleaseIsThisMonthsUntilItsTimeThenNextMonthsAcrossTheYearEnd() {
        ReleaseCalendar c = calendar();
        assertEquals(YearMonth.of(2026, 11), c.nextRelease(Instant.parse("2026-11-01T00:00:00Z")).yearMonth());
        assertEquals(YearMonth.of(2026, 11), c.nextRelease(Instant.parse("2026-11-30T14:00:00Z")).yearMonth());
        assertEquals(YearMonth.of(2026, 12), c.nextRelease(Instant.parse("2026-11-30T14:00:01Z")).yearMonth());
        assertEquals(YearMonth.of(2027, 1), c.nextRelease(Instant.parse("2026-12-28T15:00:00Z")).yearMonth());
        assertEquals(YearMonth.of(2027, 1), c.nextRelease(Instant.parse("2026-12-31T23:59:59Z")).yearMonth());
    }

    @Test
    void monthForADateIsItsCalendarMonth() {
        ReleaseCalendar c = calendar();
        assertEquals(YearMonth.of(2026, 12), c.monthFor(LocalDate.of(2026, 12, 31)).yearMonth());
        assertEquals(YearMonth.of(2027, 1), c.monthFor(LocalDate.of(2027, 1, 1)).yearMonth());
        assertEquals(LocalDate.of(2027, 1, 25), c.monthFor(LocalDate.of(2027, 1, 1)).releaseDate());
    }
}
