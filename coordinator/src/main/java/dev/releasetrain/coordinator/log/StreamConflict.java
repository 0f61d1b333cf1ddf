package dev.releasetrain.coordinator.log;

/** Another writer appended to the stream first; reload and decide again. */
public final class StreamConflict extends RuntimeException {
    public StreamConflict(String releaseId, long expectedLastSeq) {
        super("release " + releaseId + ": the stream moved past seq " + expectedLastSeq, null, false, false);
    }
}
