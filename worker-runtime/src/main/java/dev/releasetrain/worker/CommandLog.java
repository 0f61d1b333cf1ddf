package dev.releasetrain.worker;

import dev.releasetrain.protocol.Envelope;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The commands this service has in progress and the last {@code capacity} it completed, so that a
 * redelivered command is not run twice.
 *
 * <p>With {@code release-train.worker.data-dir} set, each completed command id is also appended (and synced)
 * to {@code completed-commands} there once its result is on Kafka, and read back at start: a command
 * redelivered after a restart is acknowledged without running again. What this record cannot cover, a crash
 * between a step's external effect and its published result, rests on each step being idempotent (it checks
 * the external system before acting, or uses the system's own idempotency key), so a rerun finds the effect
 * done and reports it. Without a data dir the record is in memory only.
 */
@Singleton
public class CommandLog {
    private static final Logger LOG = Logger.getLogger(CommandLog.class);
    static final String FILE_NAME = "completed-commands";

    public enum Claim {
        /** The caller now owns the command and must {@link #complete} or {@link #abandon} it. */
        CLAIMED,
        /** Another delivery of the same command is being run right now. */
        IN_PROGRESS,
        /** The command already ran to a published result. */
        COMPLETED
    }

    private final int capacity;
    private final Set<String> inProgress = new HashSet<>();
    /** Command id to its result; null for one completed before the last restart (only its id is kept). */
    private final LinkedHashMap<String, Envelope> completed;
    private final Path file;
    private int linesInFile;

    /** In memory only. */
    public CommandLog(int capacity) {
        this(capacity, Optional.empty());
    }

    @Inject
    public CommandLog(@ConfigProperty(name = "release-train.worker.completed-commands", defaultValue = "10000") int capacity,
                      @ConfigProperty(name = "release-train.worker.data-dir") Optional<String> dataDir) {
        if (capacity < 1) {
            throw new IllegalArgumentException("release-train.worker.completed-commands must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.completed = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Envelope> eldest) {
                return size() > CommandLog.this.capacity;
            }
        };
        this.file = dataDir.filter(d -> !d.isBlank()).map(d -> Path.of(d).resolve(FILE_NAME)).orElse(null);
        if (file != null) {
            load();
        }
    }

    public synchronized Claim claim(String commandId) {
        if (completed.containsKey(commandId)) {
            return Claim.COMPLETED;
        }
        if (!inProgress.add(commandId)) {
            return Claim.IN_PROGRESS;
        }
        return Claim.CLAIMED;
    }

    /**
     * Records the terminal result (StepSucceeded or StepFailed) once Kafka has acknowledged it. A record
     * that cannot be written is logged: the command then runs again if redelivered after a restart, which
     * its step's idempotency makes harmless.
     */
    public synchronized void complete(String commandId, Envelope result) {
        inProgress.remove(commandId);
        completed.put(commandId, result);
        if (file != null) {
            try {
                append(commandId);
            } catch (IOException | UncheckedIOException e) {
                LOG.warnf("could not record completed command %s in %s: %s", commandId, file, e.getMessage());
            }
        }
    }

    /** Gives a claimed command up without a result, so that a later delivery runs it. */
    public synchronized void abandon(String commandId) {
        inProgress.remove(commandId);
    }

    /** The result this instance published; empty for a command completed before the last restart. */
    public synchronized Optional<Envelope> resultOf(String commandId) {
        return Optional.ofNullable(completed.get(commandId));
    }

    public synchronized int completedCount() {
        return completed.size();
    }

    private void load() {
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    // a line cut short by a crash names no command: remembering it is harmless
                    String id = line.strip();
                    if (!id.isEmpty()) {
                        completed.put(id, null);
                        linesInFile++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the completed commands in " + file
                    + " (release-train.worker.data-dir): " + e.getMessage(), e);
        }
        LOG.infof("%d completed commands known from %s", completed.size(), file);
    }

    private void append(String commandId) throws IOException {
        if (linesInFile >= 2 * capacity) {
            compact(); // includes commandId
            return;
        }
        Files.writeString(file, commandId + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
        linesInFile++;
    }

    /** Rewrites the file with the ids still remembered, replacing it atomically. */
    private void compact() throws IOException {
        List<String> ids = new ArrayList<>(completed.keySet());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.write(tmp, ids, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        linesInFile = ids.size();
    }
}
