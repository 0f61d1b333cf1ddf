package dev.releasetrain.coordinator.calendar;

import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Makes the {@link ReleaseCalendar} from {@link CalendarConfig}, at start-up, so bad settings stop the application. */
@ApplicationScoped
public class CalendarProducer {
    static final String PREFIX = "release-train.calendar.";

    @Produces
    @Singleton
    @Startup
    ReleaseCalendar releaseCalendar(CalendarConfig config) {
        return fromConfig(config);
    }

    /** The wall clock; tests and other modules may provide their own {@link Clock} bean. */
    @Produces
    @Dependent
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Checks every setting; an invalid one throws {@link IllegalArgumentException} naming its key. */
    public static ReleaseCalendar fromConfig(CalendarConfig c) {
        ZoneId zone;
        try {
            zone = ZoneId.of(c.zone().trim());
        } catch (RuntimeException e) {
            throw invalid("zone", "'" + c.zone() + "' is not a time zone id (e.g. UTC, America/New_York)");
        }
        LocalTime freeze = time("freeze-time", c.freezeTime());
        LocalTime release = time("release-time", c.releaseTime());
        Duration breakAfter = duration("break-the-release-after", c.breakTheReleaseAfter());
        Set<LocalDate> holidays = new LinkedHashSet<>();
        for (String h : c.holidays().orElse(List.of())) {
            if (h.isBlank()) {
                continue;
            }
            try {
                holidays.add(LocalDate.parse(h.trim()));
            } catch (DateTimeParseException e) {
                throw invalid("holidays", "'" + h + "' is not a date YYYY-MM-DD");
            }
        }
        List<ReleaseCalendar.Person> rotation = new ArrayList<>();
        for (String entry : c.rotation()) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            String slack = colon < 0 ? "" : entry.substring(colon + 1).trim();
            if (name.isEmpty() || slack.isEmpty() || slack.contains(":")) {
                throw invalid("rotation", "'" + entry + "' must be name:slackUserId, e.g. alice:U0ALICE");
            }
            rotation.add(new ReleaseCalendar.Person(name, slack));
        }
        if (rotation.isEmpty()) {
            throw invalid("rotation", "needs at least one person name:slackUserId");
        }
        YearMonth start;
        try {
            start = YearMonth.parse(c.rotationStart().trim());
        } catch (DateTimeParseException e) {
            throw invalid("rotation-start", "'" + c.rotationStart() + "' is not a month YYYY-MM");
        }
        c.feedBaseUrl().ifPresent(url -> {
            java.net.URI u;
            try {
                u = java.net.URI.create(url.trim());
            } catch (IllegalArgumentException e) {
                throw invalid("feed-base-url", "'" + url + "' is not a URL");
            }
            if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null) {
                throw invalid("feed-base-url", "'" + url + "' must be an http(s) URL like https://release-train.example.com");
            }
        });
        return new ReleaseCalendar(zone, freeze, release, breakAfter, holidays, rotation, start);
    }

    private static LocalTime time(String key, String value) {
        try {
            return LocalTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw invalid(key, "'" + value + "' is not a time of day HH:mm");
        }
    }

    private static Duration duration(String key, String value) {
        String v = value.trim();
        try {
            Duration d;
            if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
                d = Duration.parse(v);
            } else if (v.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            } else if (v.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (RuntimeException e) {
            throw invalid(key, "'" + value + "' is not a duration like 2h, 90m or PT2H");
        }
    }

    private static IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException(PREFIX + key + ": " + problem);
    }
}
