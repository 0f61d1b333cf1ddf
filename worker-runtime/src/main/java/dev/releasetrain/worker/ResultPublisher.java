package dev.releasetrain.worker;

import dev.releasetrain.protocol.Envelope;

/** Where a worker's events (StepStarted, StepProgress, StepSucceeded, StepFailed) go: release.results. */
public interface ResultPublisher {

    /** Returns once the event is durably accepted; throws if it could not be. */
    void publish(Envelope event);
}
