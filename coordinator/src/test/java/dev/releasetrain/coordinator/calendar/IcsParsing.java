package dev.releasetrain.coordinator.calendar;

import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.validate.ValidationResult;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads an iCalendar feed back with ical4j, after checking the octet-level rules of RFC 5545 itself. */
final class IcsParsing {
    private IcsParsing() {
    }

    /** One parsed VEVENT: its properties' (unescaped) values by name. */
    record Event(Map<String, String> props) {
        String get(String name) {
            return props.get(name);
        }
    }

    static List<Event> parse(String ics) throws Exception {
        assertTrue(ics.endsWith("\r\n"), "ends with CRLF");
        assertFalse(ics.replace("\r\n", "").contains("\n"), "every line ends with CRLF, no bare LF");
        for (String line : ics.split("\r\n")) {
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 75, "line longer than 75 octets: " + line);
        }
        Calendar cal = new CalendarBuilder().build(new StringReader(ics));
        ValidationResult validation = cal.validate();
        assertFalse(validation.hasErrors(), validation.toString());
        assertEquals("2.0", cal.getRequiredProperty("VERSION").getValue());
        assertEquals(ICalendarFeed.PRODID, cal.getRequiredProperty("PRODID").getValue());
        return cal.getComponents(Component.VEVENT).stream().map(c -> {
            Map<String, String> props = new LinkedHashMap<>();
            c.getProperties().forEach(p -> props.put(p.getName(), p.getValue()));
            return new Event(props);
        }).toList();
    }
}
