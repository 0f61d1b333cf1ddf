package dev.releasetrain.coordinator.calendar;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings as the application reads them; each bad one refuses to start with a message naming its key. */
class CalendarProducerTest {

    record Settings(String zone, String freezeTime, String releaseTime, String breakTheReleaseAfter,
                    Optional<List<String>> holidays, List<String> rotation, String rotationStart) implements CalendarConfig {
        static Settings defaults() {
            return new Settings("UTC", "14:00", "14:00", "2h", Optional.empty(),
                    List.of("alice:U0ALICE", "bob:U0BOB", "carol:U0CAROL"), "2026-01");
        }

        @Override
        public AutoStart autoStart() {
            return () -> false;
        }

        @Override
        public Optional<String> feedBaseUrl() {
            return Optional.empty();
        }

        /** These settings with {@code feed-base-url} set. */
        CalendarConfig withFeedBaseUrl(String url) {
            Settings s = this;
            return new CalendarConfig() {
                public String zone() { return s.zone(); }
                public String freezeTime() { return s.freezeTime(); }
                public String releaseTime() { return s.releaseTime(); }
                public String breakTheReleaseAfter() { return s.breakTheReleaseAfter(); }
                public Optional<List<String>> holidays() { return s.holidays(); }
                public List<String> rotation() { return s.rotation(); }
                public String rotationStart() { return s.rotationStart(); }
                public AutoStart autoStart() { return s.autoStart(); }
                public Optional<String> feedBaseUrl() { return Optional.of(url); }
            };
        }
    }

    @Test
    void validSettingsMakeTheCalendar() {
        Settings s = Settings.defaults();
        ReleaseCalendar c = CalendarProducer.fromConfig(new Settings("Europe/Berlin", "09:30", "16:00", "PT3H",
                Optional.of(List.of("2026-11-30", " ")), List.of(" dana : U0DANA ", "erin:U0ERIN"), "2025-12"));
        ReleaseCalendar.Month nov = c.month(YearMonth.of(2026, 11));
        assertEquals(LocalDate.of(2026, 11, 27), nov.releaseDate());
        assertEquals(Instant.parse("2026-11-25T08:30:00Z"), nov.freezeTime());
        assertEquals(Instant.parse("2026-11-25T11:30:00Z"), nov.breakTheReleaseTime());
        assertEquals(Instant.parse("2026-11-27T15:00:00Z"), nov.releaseTime());
        assertEquals(new ReleaseCalendar.Person("dana", "U0DANA"), c.owner(YearMonth.of(2025, 12)));
        assertEquals("erin", c.owner(YearMonth.of(2026, 11)).name());
        assertEquals("alice", CalendarProducer.fromConfig(s).owner(YearMonth.of(2026, 1)).name());
    }

    @Test
    void badSettingsNameTheirKey() {
        Settings d = Settings.defaults();
        assertRefused("release-train.calendar.holidays: '2026-13-01' is not a date YYYY-MM-DD",
                new Settings(d.zone(), d.freezeTime(), d.releaseTime(), d.breakTheReleaseAfter(),
                        Optional.of(List.of("2026-12-25", "2026-13-01")), d.rotation(), d.rotationStart()));
        assertRefused("release-train.calendar.rotation: needs at least one person name:slackUserId",
                new Settings(d.zone(), d.freezeTime(), d.releaseTime(), d.breakTheReleaseAfter(), d.holidays(),
                        List.of(" "), d.rotationStart()));
        assertRefused("release-train.calendar.rotation: 'alice' must be name:slackUserId, e.g. alice:U0ALICE",
                new Settings(d.zone(), d.freezeTime(), d.releaseTime(), d.breakTheReleaseAfter(), d.holidays(),
                        List.of("alice"), d.rotationStart()));
        assertRefused("release-train.calendar.rotation-start: '2026-1' is not a month YYYY-MM",
                new Settings(d.zone(), d.freezeTime(), d.releaseTime(), d.breakTheReleaseAfter(), d.holidays(),
                        d.rotation(), "2026-1"));
        assertRefused("release-train.calendar.zone: 'Mars/Olympus' is not a time zone id (e.g. UTC, America/New_York)",
                new Settings("Mars/Olympus", d.freezeTime(), d.releaseTime(), d.breakTheReleaseAfter(), d.holidays(),
                        d.rotation(), d.rotationStart()));
        assertRefused("release-train.calendar.freeze-time: '25:00' is not a time of day HH:mm",
                new Settings(d.zone(), "25:00", d.releaseTime(), d.breakTheReleaseAfter(), d.holidays(),
                        d.rotation(), d.rotationStart()));
        assertRefused("release-train.calendar.break-the-release-after: 'soon' is not a duration like 2h, 90m or PT2H",
                new Settings(d.zone(), d.freezeTime(), d.releaseTime(), "soon", d.holidays(),
                        d.rotation(), d.rotationStart()));
        assertRefused("release-train.calendar.feed-base-url: 'release-train.example.com' must be an http(s) URL like"
                + " https://release-train.example.com", d.withFeedBaseUrl("release-train.example.com"));
        CalendarProducer.fromConfig(d.withFeedBaseUrl("https://release-train.example.com/"));
    }

    private static void assertRefused(String message, CalendarConfig config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CalendarProducer.fromConfig(config));
        assertEquals(message, e.getMessage());
        assertTrue(e.getMessage().startsWith("release-train.calendar."));
    }
}
