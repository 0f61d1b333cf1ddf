package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.protocol.Envelope;

import java.time.Instant;
import java.util.Map;

/** What can be asked of a release. Time enters only as data ({@link Tick}), so deciding stays pure. */
public sealed interface ReleaseCommand {
    /** Start a release of {@code runbook}; {@code variables} are the release variables (dates, owner, branch). */
    record Start(String version, String kind, String previousVersion, Runbook runbook, String startedBy,
                 Map<String, String> variables) implements ReleaseCommand {
    }

    /** A service's result arrived. */
    record RecordResult(Envelope result) implements ReleaseCommand {
    }

    /** A person asks for another attempt of a failed step, optionally with edited parameters. */
    record RetryStep(String step, String requestedBy, String reason, Map<String, String> params) implements ReleaseCommand {
    }

    /** A person approves a gate; {@code approverRole} says whether they hold the approver role. */
    record ApproveGate(String gate, String approver, boolean approverRole, String note, String evidence) implements ReleaseCommand {
    }

    /** A person stops the release. */
    record Cancel(String cancelledBy, String reason) implements ReleaseCommand {
    }

    /** The clock moved: deadlines, scheduled retries and gate openings that are due now fire. */
    record Tick(Instant now) implements ReleaseCommand {
    }
}
