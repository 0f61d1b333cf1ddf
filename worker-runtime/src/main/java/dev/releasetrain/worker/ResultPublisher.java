package dev.releasetrain.worker;

import dev.releasetrain.protocol.Envelope;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Where a worker's events (StepStarted, StepProgress, StepSucceeded, StepFailed) go: release.results. */
public interface ResultPublisher {

    /** Returns once the event is durably accepted; throws if it could not be. */
    void publish(Envelope event);

    /**
     * Starts publishing and returns at once; the stage completes when the event is durably accepted
     * (or failed). A later {@link #publish} of the same release is ordered after it (same key, same
     * partition, an idempotent producer). The default publishes synchronously.
     */
    default CompletionStage<Void> publishAsync(Envelope event) {
        try {
            publish(event);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
