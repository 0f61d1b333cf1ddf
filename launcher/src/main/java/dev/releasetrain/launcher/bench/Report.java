package dev.releasetrain.launcher.bench;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the bench prints: progress lines as it goes ({@link #say}), and at the end the table of every figure and
 * the machine-readable summary line ({@link Bench#SUMMARY_KEYS}, in order; a missing one is NaN). The phases'
 * results write their rows and summary figures here.
 */
final class Report {
    private final PrintWriter out;
    private final Map<String, String> rows = new LinkedHashMap<>();
    private final Map<String, Double> summary = new LinkedHashMap<>();

    Report(PrintWriter out) {
        this.out = out;
    }

    void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    void row(String label, String value) {
        rows.put(label, value);
    }

    void summary(String key, double value) {
        summary.put(key, value);
    }

    void print(boolean quick, List<String> summaryKeys) {
        out.println();
        out.println("Release Train benchmark" + (quick ? " (--quick: smaller samples, see docs/benchmarks.md)" : ""));
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        for (Map.Entry<String, String> r : rows.entrySet()) {
            out.println(String.format(Locale.ROOT, "  %-" + width + "s  %s", r.getKey(), r.getValue()));
        }
        out.println("targets: hop p50 <= 2x Kafka RTT p50; run20 p50 <= 25x Kafka RTT p50; >= 3000 transitions/s;"
                + " cpu_ms_per_transition <= 0.5; hop p99 under load <= 50 ms; rebuild >= 200k events/s; idle <= 1 %;"
                + " start <= 7 s; RSS <= 2.5 GB");
        StringBuilder line = new StringBuilder();
        for (String key : summaryKeys) {
            Double v = summary.get(key);
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(key).append('=').append(v == null ? "NaN" : fmt(v));
        }
        out.println(line);
        out.flush();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
