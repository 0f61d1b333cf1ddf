package dev.releasetrain.launcher.bench;

import dev.releasetrain.protocol.Topics;

import java.util.Locale;

/** The bench's plans: sequential no-op steps cycling through the four services. */
final class Runbooks {
    /** The plan every measured release runs. */
    static final String RUNBOOK = "bench-20";
    static final int RUNBOOK_STEPS = 20;
    /** The plan of the synthetic history the timeline phase writes. */
    static final String HISTORY_RUNBOOK = "bench-history";

    private Runbooks() {
    }

    /**
     * A runbook of {@code steps} sequential steps, cycling through the four services. Its kind is proving: its
     * runs measure the stack and are no releases, so minor and patch runs may both use it.
     */
    static String sequential(String name, int steps, String description) {
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(name).append("\nkind: proving\ndescription: '").append(description.replace("'", "''"))
                .append("'\ndefaults:\n  timeout: 2m\n  retry: { maxAttempts: 1 }\nsteps:\n");
        for (int i = 1; i <= steps; i++) {
            y.append("  - id: ").append(stepId(i)).append('\n');
            if (i > 1) {
                y.append("    needs: [").append(stepId(i - 1)).append("]\n");
            }
        }
        return y.toString();
    }

    static String stepId(int i) {
        return Topics.SERVICES.get((i - 1) % Topics.SERVICES.size()) + String.format(Locale.ROOT, ".noop-%02d", i);
    }
}
