package dev.releasetrain.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main job as `./release-train demo --fail-once notify.post-message` runs it, on its own stack. */
class DemoIT {
    @Test
    void theDemoRunsAWholeReleaseRetriesTheInjectedFailureAndFindsEveryEffect() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

        int code = new Demo(out, "1.29.0", "notify.post-message", false).run();

        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertEquals(0, code, printed);
        assertTrue(printed.matches("(?s).*notify\\.post-message\\s+FAILED.*"), printed);
        assertTrue(printed.contains("retrying notify.post-message over REST"), printed);
        assertTrue(printed.contains("release completed"), printed);
        assertTrue(printed.contains("every effect is there"), printed);
    }
}
