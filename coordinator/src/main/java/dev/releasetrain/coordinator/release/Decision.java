package dev.releasetrain.coordinator.release;

import dev.releasetrain.protocol.ReleaseEvent;

import java.util.List;

/**
 * The events a command leads to, or why it is refused (then nothing is appended), or that it repeats what
 * the stream has (a second result of a command already answered: nothing is appended, nothing is wrong).
 */
public record Decision(List<ReleaseEvent> events, Rejection rejection, boolean repeated) {

    public enum Reason { NOT_FOUND, CONFLICT, INVALID, FORBIDDEN }

    public record Rejection(Reason reason, String message) {
    }

    public static Decision accept(List<ReleaseEvent> events) {
        return new Decision(List.copyOf(events), null, false);
    }

    public static Decision reject(Reason reason, String message) {
        return new Decision(List.of(), new Rejection(reason, message), false);
    }

    /** The command repeats what the stream has: nothing to append. */
    public static Decision repeat() {
        return new Decision(List.of(), null, true);
    }

    public boolean rejected() {
        return rejection != null;
    }
}
