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
}
