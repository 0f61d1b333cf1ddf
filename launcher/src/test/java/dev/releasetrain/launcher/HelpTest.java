package dev.releasetrain.launcher;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command has help: {@code --help} exits 0 and prints its usage and description. */
class HelpTest {

    @Test
    void everyCommandHasHelpText() {
        Map<String, CommandLine> commands = new CommandLine(new Launcher()).getSubcommands();
        for (String name : new String[]{"demo", "up", "bench", "start", "status", "watch", "timeline", "retry", "approve",
                "cancel", "calendar"}) {
            assertTrue(commands.containsKey(name), "a command " + name + ": " + commands.keySet());
        }
        for (Map.Entry<String, CommandLine> c : commands.entrySet()) {
            if (c.getKey().equals("help")) {
                continue;
            }
            StringWriter out = new StringWriter();
            CommandLine cmd = new CommandLine(new Launcher());
            cmd.setOut(new PrintWriter(out));
            int code = cmd.execute(c.getKey(), "--help");
            String help = out.toString();
            assertEquals(0, code, c.getKey() + " --help");
            assertTrue(help.startsWith("Usage: release-train " + c.getKey()), c.getKey() + ": " + help);
            assertFalse(c.getValue().getCommandSpec().usageMessage().description().length == 0, c.getKey() + " has a description");
        }
    }

    @Test
    void apiCommandsDocumentTheirExitCodes() {
        for (String name : new String[]{"start", "status", "watch", "timeline", "retry", "approve", "cancel", "calendar"}) {
            StringWriter out = new StringWriter();
            CommandLine cmd = new CommandLine(new Launcher());
            cmd.setOut(new PrintWriter(out));
            cmd.execute(name, "--help");
            assertTrue(out.toString().contains("3 refused"), name + ": " + out);
            assertTrue(out.toString().contains("RELEASE_TRAIN_TOKEN"), name + ": " + out);
        }
    }

    @Test
    void aWrongOptionIsAUsageErrorExit2() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Launcher());
        cmd.setErr(new PrintWriter(err));
        assertEquals(2, cmd.execute("status", "--no-such-option", "1.29.0"));
        assertTrue(err.toString().contains("--no-such-option"), err.toString());
    }
}
