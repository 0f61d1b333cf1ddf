package dev.releasetrain.launcher;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --fail-once: one aimed fault per known step; an unknown step is refused before anything starts. */
class FailOnceTest {

    @Test
    void aListOfStepsIsParsedInOrderWithoutRepeats() {
        assertEquals(List.of("notify.announce-code-freeze", "git.bump-chart", "cdn.invalidate"),
                FailOnce.parse("notify.announce-code-freeze, git.bump-chart,,cdn.invalidate,git.bump-chart", "monthly-minor"));
        assertEquals(List.of(), FailOnce.parse(null, "monthly-minor"));
        assertEquals(List.of("notify.post-message"), FailOnce.parse("notify.post-message", "proving"));
    }

    @Test
    void everyStepHasAFaultAimedAtItsOwnCallWithANonRetriedStatus() {
        for (String runbook : List.of("monthly-minor", "proving")) {
            for (String step : FailOnce.steps(runbook)) {
                FailOnce.Fault f = FailOnce.of(step, "1.29.0");
                assertEquals(1, f.spec().count(), step);
                assertTrue(f.spec().status() >= 400 && f.spec().status() < 500 && f.spec().status() != 429, step);
                assertTrue(f.spec().method() != null && (f.spec().pathPrefix() != null || f.spec().pathContains() != null), step);
            }
        }
    }

    @Test
    void anUnknownStepIsRefusedWithTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FailOnce.parse("git.bump-chart,git.nope", "monthly-minor"));
        assertTrue(e.getMessage().contains("git.nope"), e.getMessage());
        assertTrue(e.getMessage().contains("cdn.invalidate") && e.getMessage().contains("notify.announce-code-freeze"), e.getMessage());
        // a step of the other runbook is not valid for this one
        assertThrows(IllegalArgumentException.class, () -> FailOnce.parse("notify.post-message", "monthly-minor"));
    }

    @Test
    void theDemoExits2OnAnUnknownStepBeforeStartingAnything() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8), "1.29.0", "git.cut-release-branch", false,
                "monthly-minor").run();
        String printed = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, printed);
        assertTrue(printed.contains("unknown step git.cut-release-branch") && printed.contains("valid steps: "), printed);
        assertTrue(!printed.contains("starting the stack"), printed);
    }
}
