package dev.releasetrain.coordinator.release;

import dev.releasetrain.protocol.Envelope;

/** What can be asked of a release: start it, record a service's result, retry a failed step. */
public sealed interface ReleaseCommand {
    record Start(String version, String runbook, String startedBy) implements ReleaseCommand {
    }

    record RecordResult(Envelope result) implements ReleaseCommand {
    }

    record RetryStep(String step, String requestedBy, String reason) implements ReleaseCommand {
    }
}
