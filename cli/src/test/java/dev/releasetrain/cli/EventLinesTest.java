package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A step that ended within its worker's grace period sent no StepStarted: its success line names the worker. */
class EventLinesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ReleaseClient.Sse event(String type, String data) throws Exception {
        return new ReleaseClient.Sse(7, type, JSON.readTree("{\"data\": " + data + "}"));
    }

    @Test
    void aSuccessNamesItsWorkerWhenTheResultDoes() throws Exception {
        assertEquals(String.format("%-28s succeeded on git-service@host-1 {\"commit\":\"abc\"}", "git.resolve-head"),
                EventLines.describe(event("StepSucceeded", "{\"step\": \"git.resolve-head\", \"outputs\": {\"commit\": \"abc\"},"
                        + " \"worker\": \"git-service@host-1\", \"startedAt\": \"2026-11-26T17:00:00Z\"}")));
        assertEquals(String.format("%-28s succeeded {}", "git.resolve-head"),
                EventLines.describe(event("StepSucceeded", "{\"step\": \"git.resolve-head\", \"outputs\": {}, \"worker\": null}")),
                "a result of before the field");
        assertEquals(String.format("%-28s started on deploy-service@host-2", "deploy.wait"),
                EventLines.describe(event("StepStarted", "{\"step\": \"deploy.wait\", \"worker\": \"deploy-service@host-2\"}")));
    }

    @Test
    void aVoidedApprovalSaysWhatChanged() throws Exception {
        assertEquals(String.format("%-28s APPROVAL VOID: the approval by bob no longer holds: releaseBranchCommit changed"
                        + " from 222222222222 to 333333333333 (git.cherry-pick-fixes.head)", "break-the-release"),
                EventLines.describe(event("ApprovalVoided", "{\"gate\": \"break-the-release\", \"approver\": \"bob\", \"reason\":"
                        + " \"the approval by bob no longer holds: releaseBranchCommit changed from 222222222222 to 333333333333"
                        + " (git.cherry-pick-fixes.head)\", \"changes\": []}")));
    }

    @Test
    void theTimelineTableListsEachVoidedApprovalBeforeTheGatesCurrentState() throws Exception {
        String table = TimelineTable.render(JSON.readTree("""
                {"version": "1.29.0", "status": "running", "runbook": "monthly-minor", "startedBy": "alice", "durationMs": null,
                 "waits": {"queueMs": 0, "runMs": 0, "humanWaitMs": 1000}, "events": 40, "criticalPath": [],
                 "steps": [{"step": "break-the-release", "service": "coordinator", "status": "awaiting-approval", "attempts": [],
                   "gate": {"openedAt": "2026-11-25T15:00:00Z", "approvedAt": null, "waitMs": 1000, "approver": null,
                            "waitingFor": "a person with the approver role other than alice",
                            "voided": [{"approver": "bob", "approvedAt": "2026-11-25T14:59:00Z", "voidedAt": "2026-11-25T15:00:00Z",
                                        "reason": "the approval by bob no longer holds: releaseBranchCommit changed from a to b (git.cherry-pick-fixes.head)"}]}}]}
                """));
        String[] lines = table.split("\\R");
        assertEquals(true, lines[2].contains("void") && lines[2].contains("releaseBranchCommit changed from a to b"), table);
        assertEquals(true, lines[3].contains("awaiting-approval") && lines[3].contains("waiting for a person"), table);
    }
}
