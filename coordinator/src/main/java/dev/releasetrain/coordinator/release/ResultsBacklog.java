package dev.releasetrain.coordinator.release;

/**
 * Whether the results that were waiting for the coordinator when it started have been read. Timers
 * (deadlines above all) fire only once they have: after a restart, a step whose result is already on
 * the bus must not time out, and run again, because its result had not been read yet.
 */
public interface ResultsBacklog {
    boolean caughtUp();
}
