package dev.releasetrain.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job as `./release-train demo --fail-once notify.announce-code-freeze` runs it: the whole monthly runbook. */
class DemoIT {
    @Test
    void theDemoRunsTheMonthlyRunbookApprovesBothGatesRetriesTheInjectedFailureAndFindsEveryEffect() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int code = new Demo(out, "1.29.0", "notify.announce-code-freeze", false, "monthly-minor").run();

        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, code, printed);
        assertTrue(printed.matches("(?s).*notify\\.announce-code-freeze\\s+FAILED.*"), printed);
        assertTrue(printed.contains("retrying notify.announce-code-freeze over REST"), printed);
        assertTrue(printed.contains("release completed"), printed);
        assertTrue(printed.contains("approved break-the-release as bob"), printed);
        assertTrue(printed.contains("approved release-day as alice"), printed);
        assertTrue(printed.contains("every effect is there"), printed);
    }
}
