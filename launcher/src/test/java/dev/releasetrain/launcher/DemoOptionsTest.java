package dev.releasetrain.launcher;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code demo --patch} releases and refuses before starting anything, and how the chart bump is judged. */
class DemoOptionsTest {

    @Test
    void thePatchOfAVersionIsItsNextPatch() {
        assertEquals("1.29.1", Demo.patchOf("1.29.0"));
        assertEquals("1.29.10", Demo.patchOf("1.29.9"));
        assertThrows(IllegalArgumentException.class, () -> Demo.patchOf("1.29"));
    }

    @Test
    void patchWithAnotherRunbookOrAVersionThatIsNotXyzIsRefusedWithExitTwo() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        assertEquals(Demo.USAGE, new Demo(out, "1.29.0", null, false, "proving", true).run());
        assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("--patch follows the monthly runbook"), buffer.toString());
        buffer.reset();
        assertEquals(Demo.USAGE, new Demo(out, "1.29", null, false, Demo.RUNBOOK, true).run());
        assertTrue(buffer.toString(StandardCharsets.UTF_8).contains("--version must be X.Y.Z"), buffer.toString());
    }

    @Test
    void aChartBumpIsJudgedAtItsPart() {
        assertTrue(Effects.bumped("29.0.11", "29.0.12", 2));
        assertTrue(Effects.bumped("29.0.11", "29.1.0", 1));
        assertFalse(Effects.bumped("29.0.11", "29.1.0", 2));
        assertFalse(Effects.bumped("29.0.11", "29.1.11", 1));
        assertFalse(Effects.bumped("29.0.11", "29.0.11", 2));
        assertFalse(Effects.bumped(null, "29.0.12", 2));
    }
}
