package dev.releasetrain.coordinator.log;

/** The event is already in the log (a redelivery). */
public final class DuplicateEvent extends RuntimeException {
    public DuplicateEvent(String releaseId) {
        super("release " + releaseId + ": event already recorded", null, false, false);
    }
}
