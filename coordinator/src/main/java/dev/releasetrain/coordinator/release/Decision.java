package dev.releasetrain.coordinator.release;

import dev.releasetrain.protocol.ReleaseEvent;

import java.util.List;

/** The events a command leads to, or why it is refused (then nothing is appended). */
public record Decision(List<ReleaseEvent> events, Rejection rejection) {

    public enum Reason { NOT_FOUND, CONFLICT, INVALID, FORBIDDEN }

    public record Rejection(Reason reason, String message) {
    }

    public static Decision accept(List<ReleaseEvent> events) {
        return new Decision(List.copyOf(events), null);
    }

    public static Decision reject(Reason reason, String message) {
        return new Decision(List.of(), new Rejection(reason, message));
    }

    public boolean rejected() {
        return rejection != null;
    }
}
