package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.StepState;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepProgress;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;

/**
 * A result counts only if it answers the command the coordinator is waiting for: the step's current
 * attempt and command id. Anyone can write to {@code release.results}; a late result of an earlier
 * attempt, or one naming another command, must not complete the step in flight.
 */
final class CurrentCommand {
    private CurrentCommand() {
    }

    /**
     * Whether a result answers the step's current command: its attempt and its command id (when the
     * step has one). A result of an earlier attempt, or one naming another command, changes nothing.
     */
    static boolean isCurrent(StepState step, ReleaseEvent e) {
        if (step == null) {
            return false;
        }
        int attempt;
        String commandId;
        if (e instanceof StepStarted x) {
            attempt = x.attempt();
            commandId = x.commandId();
        } else if (e instanceof StepProgress x) {
            attempt = x.attempt();
            commandId = x.commandId();
        } else if (e instanceof StepSucceeded x) {
            attempt = x.attempt();
            commandId = x.commandId();
        } else if (e instanceof StepFailed x) {
            attempt = x.attempt();
            commandId = x.commandId();
        } else if (e instanceof StepTimedOut x) {
            attempt = x.attempt();
            commandId = x.commandId();
        } else {
            return false;
        }
        return step.attempt() == attempt && (step.commandId() == null || step.commandId().equals(commandId));
    }

    /**
     * Why a service's result cannot count, or null when it answers the step's current command: a step
     * the release's plan does not have, a step never requested, an earlier attempt, another command id.
     */
    static String notCurrent(ReleaseState s, ReleaseEvent result) {
        StepState step = result.step() == null ? null : s.steps().get(result.step());
        if (step == null) {
            return "release " + s.releaseId() + " has no step '" + result.step() + "'";
        }
        if (step.commandId() == null && step.attempt() == 0) {
            return "step " + step.id() + " of release " + s.releaseId() + " was never requested";
        }
        if (!isCurrent(step, result)) {
            return "the result does not answer step " + step.id() + "'s current command " + step.commandId()
                    + " (attempt " + step.attempt() + ")";
        }
        return null;
    }

    /**
     * Whether a result of the step's current command comes after the command was answered (the step left
     * flight: it succeeded, failed or timed out). Only the first answer counts: a second run of the command
     * (redelivered to another instance of the service after a rebalance) reports again, with an event of
     * its own, and that report changes nothing and is not recorded. Call only for a current result.
     */
    static boolean answered(ReleaseState s, ReleaseEvent result) {
        StepState step = s.steps().get(result.step());
        return step != null && !step.status().inFlight();
    }
}
