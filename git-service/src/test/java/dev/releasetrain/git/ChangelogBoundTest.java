package dev.releasetrain.git;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangelogBoundTest {

    @Test
    void aLogOfThousandsOfCommitsStaysWithinTheOutputCapAndCountsWhatItLeftOut() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            lines.add("feat(insights): change number " + i + " of this month dev" + i + "@posthog.com");
        }

        String log = CollectChangelog.bounded(lines, "v1.28.0..abc");

        assertTrue(log.length() <= CollectChangelog.MAX_LOG_CHARS + 100, log.length() + " characters");
        assertTrue(log.startsWith(lines.get(0) + "\n"), "newest first, whole lines");
        int kept = (int) log.lines().count() - 1;
        assertTrue(log.endsWith("\n… and " + (3000 - kept) + " more commits (git log v1.28.0..abc)"),
                log.substring(log.length() - 200));
    }

    @Test
    void aLogWithinTheBoundIsKeptWhole() {
        assertEquals("a x@posthog.com\nb y@posthog.com",
                CollectChangelog.bounded(List.of("a x@posthog.com", "b y@posthog.com"), "v1..v2"));
        assertEquals("", CollectChangelog.bounded(List.of(), "v1..v2"));
    }
}
