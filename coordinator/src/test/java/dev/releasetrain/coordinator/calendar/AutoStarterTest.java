package dev.releasetrain.coordinator.calendar;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AutoStarterTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now;

        TestClock(String now) {
            this.now = Instant.parse(now);
        }

        void set(String instant) {
            now = Instant.parse(instant);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final ReleaseCalendar calendar = ReleaseCalendarTest.calendar();
    final List<YearMonth> started = new ArrayList<>();
    final TestClock clock = new TestClock("2026-11-25T13:58:00Z");

    @Test
    void startsTheMonthsReleaseOnceAtItsFreezeAndNotBeforeOrAfterItsRelease() {
        AutoStarter auto = new AutoStarter(calendar, m -> started.add(m.yearMonth()), clock);
        assertEquals(Optional.empty(), auto.tick());
        clock.set("2026-11-25T13:59:59Z");
        auto.tick();
        assertEquals(List.of(), started);

        clock.set("2026-11-25T14:00:00Z");
        Optional<ReleaseCalendar.Month> month = auto.tick();
        assertTrue(month.isPresent());
        assertEquals(YearMonth.of(2026, 11), month.get().yearMonth());
        assertEquals("bob", month.get().owner().name());
        clock.set("2026-11-25T14:01:00Z");
        auto.tick();
        clock.set("2026-11-28T09:00:00Z");
        auto.tick();
        assertEquals(List.of(YearMonth.of(2026, 11)), started);

        clock.set("2026-12-23T14:00:30Z");
        auto.tick();
        auto.tick();
        assertEquals(List.of(YearMonth.of(2026, 11), YearMonth.of(2026, 12)), started);
    }

    @Test
    void aStarterThatFailsIsCalledAgainOnTheNextTick() {
        int[] calls = {0};
        AutoStarter auto = new AutoStarter(calendar, m -> {
            if (++calls[0] == 1) {
                throw new IllegalStateException("database unavailable");
            }
            started.add(m.yearMonth());
        }, clock);
        clock.set("2026-11-25T14:00:10Z");
        assertEquals(Optional.empty(), auto.tick());
        clock.set("2026-11-25T14:01:10Z");
        assertTrue(auto.tick().isPresent());
        auto.tick();
        assertEquals(2, calls[0]);
        assertEquals(List.of(YearMonth.of(2026, 11)), started);
    }

    @Test
    void aProcessStartingBetweenFreezeAndReleaseCatchesUpButNotAfterTheRelease() {
        clock.set("2026-11-27T08:00:00Z");
        new AutoStarter(calendar, m -> started.add(m.yearMonth()), clock).tick();
        assertEquals(List.of(YearMonth.of(2026, 11)), started);
        clock.set("2026-11-30T14:00:00Z");
        new AutoStarter(calendar, m -> started.add(m.yearMonth()), clock).tick();
        assertEquals(List.of(YearMonth.of(2026, 11)), started);
    }
}
