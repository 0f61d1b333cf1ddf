package dev.releasetrain.launcher;

import dev.releasetrain.launcher.bench.Bench;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@code release-train bench --quick} in-process against the packaged coordinator and checks the
 * shape of what it prints: the table, then a last line with every summary key and a number for each.
 * It checks no figure against a target: the benchmark is a measurement, not a test.
 */
class BenchQuickIT {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void quickBenchPrintsAWellFormedSummaryAsItsLastLine() {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new Launcher());
        cli.setOut(new PrintWriter(text, true));
        int exit = cli.execute("bench", "--quick");
        String output = text.toString();
        assertEquals(0, exit, "bench --quick failed:\n" + output);

        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        Map<String, Double> summary = new LinkedHashMap<>();
        for (String pair : last.split(" ")) {
            String[] kv = pair.split("=", 2);
            assertEquals(2, kv.length, "not key=value: '" + pair + "' in " + last);
            summary.put(kv[0], Double.parseDouble(kv[1])); // throws if a value is not a number
        }
        assertEquals(Bench.SUMMARY_KEYS, List.copyOf(summary.keySet()), "the summary's keys, in order: " + last);
        for (Map.Entry<String, Double> e : summary.entrySet()) {
            assertTrue(Double.isFinite(e.getValue()) && e.getValue() > 0, e.getKey() + " is not a positive measurement: " + last);
        }
        assertTrue(output.contains("Release Train benchmark"), "the table is printed:\n" + output);
        assertTrue(output.contains("no-op step handlers on the real worker runtime"), "the output says what the workers are:\n" + output);
        assertTrue(output.contains("RSS of the services once ready: git-service; deploy-service; cdn-service; notify-service"),
                "the four services were started and weighed:\n" + output);
    }
}
