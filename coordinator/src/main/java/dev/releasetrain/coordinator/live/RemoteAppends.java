package dev.releasetrain.coordinator.live;

/**
 * What wakes this instance's streams for appends made by other coordinator instances (the reader of
 * {@code release.events} in the {@code bus} package). Appends of this instance wake them directly.
 */
public interface RemoteAppends {
    /** A stream was opened: make sure appends of other instances reach it. */
    void wanted();
}
