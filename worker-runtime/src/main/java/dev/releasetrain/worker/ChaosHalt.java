package dev.releasetrain.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fault hook for the chaos run, off unless the system property {@code release-train.chaos.halt-dir} names a
 * directory. At a point armed by the launcher (a file of the point's name in that directory holding a count n:
 * the n-th time the point is reached from then on), it halts the JVM with {@code Runtime.halt(137)}, as durable as
 * a SIGKILL (no shutdown hook, no flush). The file is deleted before the halt, so the restarted service is not
 * armed again. The one point: {@code <service>.after-call}, after a step's handler returned (its external calls
 * done) and before its result is published.
 */
final class ChaosHalt {
    private static final Path DIR = dir();

    private ChaosHalt() {
    }

    private static Path dir() {
        String d = System.getProperty("release-train.chaos.halt-dir");
        return d == null || d.isBlank() ? null : Path.of(d);
    }

    static synchronized void reached(String point) {
        if (DIR == null) {
            return;
        }
        Path armed = DIR.resolve(point);
        try {
            if (!Files.exists(armed)) {
                return;
            }
            int n = Integer.parseInt(Files.readString(armed, StandardCharsets.UTF_8).trim());
            if (n > 1) {
                Files.writeString(armed, Integer.toString(n - 1));
                return;
            }
            Files.delete(armed);
        } catch (IOException | NumberFormatException e) {
            return; // a hook that cannot read its arming does nothing
        }
        System.err.println("chaos: halting at " + point);
        Runtime.getRuntime().halt(137);
    }
}
