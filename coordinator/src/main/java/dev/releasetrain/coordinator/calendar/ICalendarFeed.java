package dev.releasetrain.coordinator.calendar;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * Writes the calendar as an iCalendar feed (RFC 5545): one VCALENDAR, three VEVENTs a month (code freeze,
 * break the release, release), times in UTC, CRLF line endings, lines folded at 75 octets, text escaped.
 * UIDs depend only on the month and the kind of event, so a subscribed client updates events in place
 * when a holiday moves a date. Written by hand on purpose: the feed uses a small, fixed subset of the
 * format (no time zones, no recurrence), which keeps a library and its time zone registry out of the
 * application; the tests parse the output back with ical4j.
 */
public final class ICalendarFeed {
    static final String PRODID = "-//Release Train//Release calendar//EN";
    static final String UID_DOMAIN = "@release-train";
    static final Duration EVENT_LENGTH = Duration.ofHours(1);
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String CRLF = "\r\n";
    private static final int MAX_OCTETS = 75;

    private ICalendarFeed() {
    }

    /** The feed for {@code months}; {@code stamp} is the DTSTAMP of every event (when the feed was made). */
    public static String render(List<ReleaseCalendar.Month> months, VersionForMonth versions, Instant stamp) {
        StringBuilder out = new StringBuilder();
        line(out, "BEGIN:VCALENDAR");
        line(out, "PRODID:" + PRODID);
        line(out, "VERSION:2.0");
        line(out, "CALSCALE:GREGORIAN");
        line(out, "X-WR-CALNAME:" + text("Release Train"));
        for (ReleaseCalendar.Month m : months) {
            Optional<String> version = versions.versionFor(m.yearMonth());
            String what = version.map(v -> v + " (" + m.yearMonth() + ")").orElse(m.yearMonth().toString());
            String owner = "Release owner: " + m.owner().name() + " (Slack " + m.owner().slack() + ")";
            event(out, "code-freeze-" + m.yearMonth(), stamp, m.freezeTime(), "Code freeze " + what,
                    owner + "\nThe release branch is cut; the pre-release phase starts.");
            event(out, "break-the-release-" + m.yearMonth(), stamp, m.breakTheReleaseTime(), "Break the release " + what,
                    owner + "\nEveryone tries the release candidate on the playground.");
            event(out, "release-" + m.yearMonth(), stamp, m.releaseTime(), "Release " + what,
                    owner + "\nRelease day: tag, images, charts, CDN, announcement.");
        }
        line(out, "END:VCALENDAR");
        return out.toString();
    }

    private static void event(StringBuilder out, String uid, Instant stamp, Instant start, String summary, String description) {
        line(out, "BEGIN:VEVENT");
        line(out, "UID:" + uid + UID_DOMAIN);
        line(out, "DTSTAMP:" + UTC.format(stamp));
        line(out, "DTSTART:" + UTC.format(start));
        line(out, "DTEND:" + UTC.format(start.plus(EVENT_LENGTH)));
        line(out, "SUMMARY:" + text(summary));
        line(out, "DESCRIPTION:" + text(description));
        line(out, "TRANSP:TRANSPARENT");
        line(out, "END:VEVENT");
    }

    /** RFC 5545 3.3.11: backslash, semicolon, comma and newline are escaped. */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case ';' -> b.append("\\;");
                case ',' -> b.append("\\,");
                case '\n' -> b.append("\\n");
                case '\r' -> { }
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** RFC 5545 3.1: a content line longer than 75 octets is folded (CRLF + space), never inside a UTF-8 sequence. */
    static void line(StringBuilder out, String content) {
        int octets = 0;
        int limit = MAX_OCTETS;
        for (int i = 0; i < content.length(); ) {
            int cp = content.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (octets + n > limit) {
                out.append(CRLF).append(' ');
                octets = 1;
                limit = MAX_OCTETS;
            }
            out.appendCodePoint(cp);
            octets += n;
            i += Character.charCount(cp);
        }
        out.append(CRLF);
    }
}
