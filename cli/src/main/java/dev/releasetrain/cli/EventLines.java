package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** One human line per release event, as the demo and {@code release-train watch} print them. */
public final class EventLines {
    private EventLines() {
    }

    /** The line for an event of the stream, or null for events a person need not see (progress is shown). */
    public static String describe(ReleaseClient.Sse e) {
        JsonNode d = e.data().path("data");
        String step = d.path("step").asText("");
        return switch (e.type()) {
            case "ReleaseStarted" -> "release " + d.path("version").asText() + " started (runbook " + d.path("runbook").asText()
                    + ", owner " + d.path("params").path("owner").asText("?") + ")";
            case "StepRequested" -> String.format("%-28s requested (attempt %d)", step, d.path("attempt").asInt());
            case "StepStarted" -> String.format("%-28s started on %s", step, d.path("worker").asText());
            case "StepProgress" -> String.format("%-28s %s", step, d.path("message").asText());
            case "StepSucceeded" -> String.format("%-28s succeeded%s %s", step, on(d), brief(d.path("outputs")));
            case "StepFailed" -> String.format("%-28s FAILED%s: %s", step, d.path("retryable").asBoolean() ? " (retryable)" : "",
                    d.path("reason").asText());
            case "StepTimedOut" -> String.format("%-28s TIMED OUT (deadline %s)", step, d.path("deadline").asText());
            case "StepRetryRequested" -> String.format("%-28s retry by %s%s", step, d.path("requestedBy").asText(),
                    d.path("notBefore").isTextual() ? " at " + d.path("notBefore").asText() : "");
            case "GateOpened" -> String.format("%-28s WAITING for %s", d.path("gate").asText(), d.path("approvers").asText());
            case "GateApproved" -> String.format("%-28s approved by %s%s", d.path("gate").asText(), d.path("approver").asText(),
                    d.path("note").isTextual() ? " (" + d.path("note").asText() + ")" : "");
            case "ApprovalVoided" -> String.format("%-28s APPROVAL VOID: %s", d.path("gate").asText(), d.path("reason").asText());
            case "ReleaseCompleted" -> "release completed";
            case "ReleaseFailed" -> "release stopped: " + d.path("failedStep").asText() + " failed: " + d.path("reason").asText();
            case "ReleaseCancelled" -> "release cancelled by " + d.path("cancelledBy").asText();
            default -> null;
        };
    }

    /** " on worker" when a result names its worker (a step that ended within the grace period sent no StepStarted). */
    static String on(JsonNode data) {
        return data.path("worker").isTextual() ? " on " + data.path("worker").asText() : "";
    }

    /** Outputs in one line, long values cut, so a changelog does not flood the terminal. */
    static String brief(JsonNode outputs) {
        String s = outputs.toString();
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }
}
