package dev.releasetrain.worker;

import dev.releasetrain.protocol.Envelope;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The commands this instance has in progress and the last {@code capacity} it completed, with their
 * terminal result, so that a redelivered command is not run twice.
 *
 * <p>This log is in memory: after a restart, or when a rebalance moves a partition to another instance,
 * a redelivered command runs again. Cross-restart safety therefore rests on every step being idempotent
 * (check before acting; the external system's own idempotency keys), not on this log.
 */
@Singleton
public class CommandLog {

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
    private final LinkedHashMap<String, Envelope> completed;

    @Inject
    public CommandLog(@ConfigProperty(name = "release-train.worker.completed-commands", defaultValue = "10000") int capacity) {
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

    /** Records the terminal result (StepSucceeded or StepFailed) once Kafka has acknowledged it. */
    public synchronized void complete(String commandId, Envelope result) {
        inProgress.remove(commandId);
        completed.put(commandId, result);
    }

    /** Gives a claimed command up without a result, so that a later delivery runs it. */
    public synchronized void abandon(String commandId) {
        inProgress.remove(commandId);
    }

    public synchronized Optional<Envelope> resultOf(String commandId) {
        return Optional.ofNullable(completed.get(commandId));
    }

    public synchronized int completedCount() {
        return completed.size();
    }
}
