package dev.releasetrain.coordinator.chaos;

import dev.releasetrain.coordinator.log.AppendListener;
import dev.releasetrain.protocol.Envelope;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fault hook for the chaos run, off unless the system property {@code release-train.chaos.halt-dir} names a
 * directory. Told of every append before the relay's fast path (a higher priority), it halts the JVM
 * ({@code Runtime.halt(137)}, as durable as a SIGKILL: no shutdown hook, no flush) right after the commit and
 * before anything is published, when the launcher has armed one of its points by writing a file of that name in
 * the directory holding a count n (the n-th time the point is reached from then on halts):
 * <ul>
 *   <li>{@code coordinator.append}: any append (a REST command, a deadline, a result);</li>
 *   <li>{@code coordinator.result-batch}: an append of the results consumer, after its batch committed and before
 *       its offsets are committed and what follows is published.</li>
 * </ul>
 * The file is deleted before the halt, so the restarted coordinator is not armed again.
 */
@ApplicationScoped
@Priority(HaltAfterAppend.PRIORITY)
public class HaltAfterAppend implements AppendListener {
    /** Above the relay's fast path (100) and the live streams: told first. */
    static final int PRIORITY = 10_000;
    private static final Path DIR = dir();

    private static Path dir() {
        String d = System.getProperty("release-train.chaos.halt-dir");
        return d == null || d.isBlank() ? null : Path.of(d);
    }

    @Override
    public void appended(String releaseId, List<Envelope> events) {
        if (DIR == null) {
            return;
        }
        reached("coordinator.append");
        if ("release-train-results".equals(Thread.currentThread().getName())) {
            reached("coordinator.result-batch");
        }
    }

    private static synchronized void reached(String point) {
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
