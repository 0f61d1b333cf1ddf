package dev.releasetrain.coordinator.log;

import dev.releasetrain.protocol.Envelope;

import java.util.List;

/**
 * Told right after an append to the release log committed, on the appending thread, with the events
 * as the log stores them (seqs set). Every CDI bean of this type is told, highest
 * {@link jakarta.annotation.Priority} first: the relay's fast path publishes the events, the live
 * streams wake. A listener is quick and does not fail the append: the events are in the log whatever it
 * does, and what it throws is logged.
 */
@FunctionalInterface
public interface AppendListener {
    void appended(String releaseId, List<Envelope> events);
}
