package dev.releasetrain.coordinator.calendar;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ICalendarFeedTest {
    static final Instant STAMP = Instant.parse("2026-10-01T08:00:00Z");

    @Test
    void threeEventsAMonthInUtcWithStableUidsParsedBackByIcal4j() throws Exception {
        ReleaseCalendar c = ReleaseCalendarTest.calendar("2026-12-28");
        List<ReleaseCalendar.Month> months = new ArrayList<>(c.year(2026));
        months.addAll(c.year(2027));
        String ics = ICalendarFeed.render(months, VersionForMonth.NONE, STAMP);
        List<IcsParsing.Event> events = IcsParsing.parse(ics);
        assertEquals(72, events.size());
        Map<String, IcsParsing.Event> byUid = events.stream().collect(Collectors.toMap(e -> e.get("UID"), Function.identity()));
        assertEquals(72, byUid.size(), "UIDs are unique");

        IcsParsing.Event freeze = byUid.get("code-freeze-2026-11@release-train");
        assertEquals("Code freeze 2026-11", freeze.get("SUMMARY"));
        assertEquals("20261125T140000Z", freeze.get("DTSTART"));
        assertEquals("20261125T150000Z", freeze.get("DTEND"));
        assertEquals("20261001T080000Z", freeze.get("DTSTAMP"));
        assertTrue(freeze.get("DESCRIPTION").startsWith("Release owner: bob (Slack U0BOB)\n"), freeze.get("DESCRIPTION"));
        IcsParsing.Event session = byUid.get("break-the-release-2026-11@release-train");
        assertEquals("Break the release 2026-11", session.get("SUMMARY"));
        assertEquals("20261125T160000Z", session.get("DTSTART"));
        IcsParsing.Event release = byUid.get("release-2026-11@release-train");
        assertEquals("Release 2026-11", release.get("SUMMARY"));
        assertEquals("20261130T140000Z", release.get("DTSTART"));
        // The holiday moved December's release to Friday the 25th; the UID does not change with the date.
        assertEquals("20261225T140000Z", byUid.get("release-2026-12@release-train").get("DTSTART"));
        assertEquals("20270125T140000Z", byUid.get("release-2027-01@release-train").get("DTSTART"));
        assertEquals("Release 2027-12", byUid.get("release-2027-12@release-train").get("SUMMARY"));

        // Same input, same feed: a subscribed client sees no change.
        assertEquals(ics, ICalendarFeed.render(months, VersionForMonth.NONE, STAMP));
    }

    @Test
    void summariesNameTheVersionWhenKnown() throws Exception {
        ReleaseCalendar c = ReleaseCalendarTest.calendar();
        VersionForMonth versions = ym -> ym.equals(YearMonth.of(2026, 11)) ? Optional.of("1.29.0") : Optional.empty();
        List<IcsParsing.Event> events = IcsParsing.parse(ICalendarFeed.render(c.year(2026), versions, STAMP));
        List<String> summaries = events.stream().map(e -> e.get("SUMMARY")).toList();
        assertTrue(summaries.contains("Code freeze 1.29.0 (2026-11)"), summaries.toString());
        assertTrue(summaries.contains("Break the release 1.29.0 (2026-11)"));
        assertTrue(summaries.contains("Release 1.29.0 (2026-11)"));
        assertTrue(summaries.contains("Release 2026-10"));
    }

    @Test
    void textIsEscapedAndLongLinesFoldedAt75OctetsWithoutSplittingCharacters() throws Exception {
        assertEquals("a\\\\b\\;c\\,d\\ne", ICalendarFeed.text("a\\b;c,d\ne"));

        String value = "Ünïcödé owner, with; a \\ long name — " + "ß€😀".repeat(30);
        StringBuilder out = new StringBuilder();
        ICalendarFeed.line(out, "DESCRIPTION:" + ICalendarFeed.text(value));
        String folded = out.toString();
        for (String physical : folded.split("\r\n")) {
            assertTrue(physical.getBytes(StandardCharsets.UTF_8).length <= 75, physical);
        }
        assertTrue(folded.split("\r\n").length > 3);
        String unfolded = folded.replace("\r\n ", "");
        assertEquals("DESCRIPTION:" + ICalendarFeed.text(value) + "\r\n", unfolded);

        // And a person's name with special characters survives a round trip through ical4j.
        ReleaseCalendar c = ReleaseCalendar.of(List.of(new ReleaseCalendar.Person(value, "U0X")), YearMonth.of(2026, 1), java.util.Set.of());
        List<IcsParsing.Event> events = IcsParsing.parse(ICalendarFeed.render(List.of(c.month(YearMonth.of(2026, 3))), VersionForMonth.NONE, STAMP));
        assertTrue(events.get(0).get("DESCRIPTION").startsWith("Release owner: " + value + " (Slack U0X)\n"));
    }
}
