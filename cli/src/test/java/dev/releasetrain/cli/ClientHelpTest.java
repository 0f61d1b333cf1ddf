package dev.releasetrain.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cli's own main offers the REST commands, each with help, and nothing that starts a stack. */
class ClientHelpTest {

    @Test
    void theRestCommandsAndNoLauncherCommands() {
        Set<String> commands = new CommandLine(new ReleaseTrain()).getSubcommands().keySet();
        assertEquals(Set.of("start", "plan", "status", "watch", "timeline", "retry", "approve", "cancel", "calendar", "help",
                "generate-completion"), commands);
        for (String name : List.of("start", "plan", "status", "watch", "timeline", "retry", "approve", "cancel", "calendar")) {
            StringWriter out = new StringWriter();
            CommandLine cmd = new CommandLine(new ReleaseTrain());
            cmd.setOut(new PrintWriter(out));
            assertEquals(0, cmd.execute(name, "--help"), name);
            assertTrue(out.toString().startsWith("Usage: release-train " + name), name + ": " + out);
            assertTrue(out.toString().contains("3 refused"), name + ": " + out);
        }
    }

    @Test
    void theCompletionScriptCompletesEveryCommandAndItsOptions() {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new ReleaseTrain());
        cmd.setOut(new PrintWriter(out));
        assertEquals(0, cmd.execute("generate-completion"));
        String script = out.toString();
        assertTrue(script.contains("complete -F"), "a bash completion function: " + script);
        for (String word : List.of("start", "status", "watch", "timeline", "retry", "approve", "cancel", "calendar", "--url", "--json")) {
            assertTrue(script.contains(word), "the script completes " + word);
        }
    }
}
