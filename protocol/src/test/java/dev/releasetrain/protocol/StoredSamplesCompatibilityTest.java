package dev.releasetrain.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decodes a stored sample of every message type as it was written on the bus and in the log.
 * A change to a record that would break stored events fails here: add a new versioned type instead.
 */
class StoredSamplesCompatibilityTest {

    @Test
    void everyMessageTypeHasAStoredSampleThatStillDecodes() throws IOException {
        Set<String> decoded = new HashSet<>();
        for (String type : EventTypes.all()) {
            String file = "/samples/" + type.substring(EventTypes.PREFIX.length()) + ".json";
            try (InputStream in = getClass().getResourceAsStream(file)) {
                assertNotNull(in, "no stored sample for " + type + " (expected " + file + ")");
                JsonNode sample = CloudEventCodec.json().readTree(in);
                Map<String, String> headers = new LinkedHashMap<>();
                sample.get("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
                byte[] body = CloudEventCodec.json().writeValueAsBytes(sample.get("body"));

                Envelope e = CloudEventCodec.decode(headers, body);

                assertEquals(type, e.type());
                assertEquals("1.29.0", e.releaseId());
                assertNotNull(e.seq());
                // Every stored field is still understood: re-encoding keeps each of them with its value.
                JsonNode again = CloudEventCodec.json().readTree(CloudEventCodec.dataBytes(e.data()));
                sample.get("body").fields().forEachRemaining(f ->
                        assertEquals(f.getValue(), again.get(f.getKey()), type + " lost or changed field " + f.getKey()));
                decoded.add(type);
            }
        }
        assertEquals(new HashSet<>(EventTypes.all()), decoded);
        assertTrue(decoded.size() >= 13, "every event type of the brief is in the protocol");
    }

    @Test
    void resultsSayWhoRanTheAttemptAndWhenItBegan() throws IOException {
        java.time.Instant began = java.time.Instant.parse("2026-11-26T16:00:00.123456Z");
        var succeeded = new ReleaseEvent.StepSucceeded("git.tag-release", 2, "c-2", Map.of("tag", "v1.29.0"), "git-service@host-1", began);
        var failed = new ReleaseEvent.StepFailed("git.tag-release", 1, "c-1", "remote rejected", true, "git-service@host-1", began);
        for (ReleaseEvent event : java.util.List.of(succeeded, failed)) {
            var encoded = CloudEventCodec.encode(Envelope.of("/release-train/git-service", "1.29.0", event).withSeq(3));
            JsonNode body = CloudEventCodec.json().readTree(encoded.body());
            assertEquals("git-service@host-1", body.get("worker").asText());
            assertEquals("2026-11-26T16:00:00.123456Z", body.get("startedAt").asText());
            assertEquals(event, CloudEventCodec.decode(encoded.headers(), encoded.body()).data());
        }
        // results stored before the fields existed decode with neither
        try (InputStream in = getClass().getResourceAsStream("/samples/StepSucceeded.v1.json")) {
            JsonNode sample = CloudEventCodec.json().readTree(in);
            Map<String, String> headers = new LinkedHashMap<>();
            sample.get("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
            var old = (ReleaseEvent.StepSucceeded) CloudEventCodec.decode(headers,
                    CloudEventCodec.json().writeValueAsBytes(sample.get("body"))).data();
            assertEquals(null, old.worker());
            assertEquals(null, old.startedAt());
            assertEquals("git.cut-release-branch", old.step());
        }
    }

    @Test
    void aCommandNamesTheHandlerItReusesAndCommandsWithoutOneRunTheirOwnStep() throws IOException {
        Envelope withAction = sample("/samples/StepRequested.v1.with-action.json");
        var late = (ReleaseEvent.StepRequested) withAction.data();
        assertEquals("git.cherry-pick-late-fixes", late.step(), "results and the timeline carry the node's id");
        assertEquals("git.cherry-pick-fixes", late.action());
        assertEquals("git.cherry-pick-fixes", late.handler());
        assertEquals("git.cherry-pick-fixes", CloudEventCodec.json().readTree(CloudEventCodec.dataBytes(late)).get("action").asText());

        var old = (ReleaseEvent.StepRequested) sample("/samples/StepRequested.v1.json").data();
        assertEquals(null, old.action(), "stored before the field existed");
        assertEquals("git.cut-release-branch", old.handler());
        JsonNode written = CloudEventCodec.json().readTree(CloudEventCodec.dataBytes(old));
        assertTrue(!written.has("action") && !written.has("handler"), "a command without an action is written as before: " + written);
    }

    @Test
    void anApprovalRecordsWhatItWasBoundToAndOlderApprovalsDecodeWithNothingBound() throws IOException {
        var bound = (ReleaseEvent.GateApproved) sample("/samples/GateApproved.v1.with-bindings.json").data();
        assertEquals("3f1c2a9d5b7e4f60a1c2d3e4f5a6b7c8d9e0f1a2", bound.bound().get("releaseBranchCommit"));
        assertEquals("posthog-30.2.1", bound.bound().get("playgroundChart"));

        var old = (ReleaseEvent.GateApproved) sample("/samples/GateApproved.v1.json").data();
        assertEquals(null, old.bound(), "stored before the field existed");
        JsonNode written = CloudEventCodec.json().readTree(CloudEventCodec.dataBytes(old));
        assertTrue(!written.has("bound"), "an approval bound to nothing is written as before: " + written);
    }

    private Envelope sample(String file) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(file)) {
            assertNotNull(in, file);
            JsonNode sample = CloudEventCodec.json().readTree(in);
            Map<String, String> headers = new LinkedHashMap<>();
            sample.get("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
            return CloudEventCodec.decode(headers, CloudEventCodec.json().writeValueAsBytes(sample.get("body")));
        }
    }

    @Test
    void encodingUsesBinaryModeHeaders() {
        var event = new ReleaseEvent.StepFailed("git.tag-release", 1, "c-1", "remote rejected", true);
        var encoded = CloudEventCodec.encode(Envelope.of("/release-train/git-service", "1.29.0", event).withSeq(7));

        assertEquals("1.0", encoded.headers().get("ce_specversion"));
        assertEquals("dev.releasetrain.StepFailed.v1", encoded.headers().get("ce_type"));
        assertEquals("1.29.0", encoded.headers().get("ce_subject"));
        assertEquals("7", encoded.headers().get("ce_releaseseq"));
        assertEquals("application/json", encoded.headers().get("content-type"));
        String body = new String(encoded.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"reason\":\"remote rejected\""), body);

        Envelope back = CloudEventCodec.decode(encoded.headers(), encoded.body());
        assertEquals(event, back.data());
        assertEquals(7L, back.seq());
    }

    @Test
    void undecodableMessagesNameWhatIsWrong() {
        var ok = CloudEventCodec.encode(Envelope.of("/x", "1.29.0", new ReleaseEvent.ReleaseCancelled("a", "b")));
        Map<String, String> noType = new LinkedHashMap<>(ok.headers());
        noType.remove("ce_type");
        var e1 = org.junit.jupiter.api.Assertions.assertThrows(CloudEventCodec.UndecodableMessage.class,
                () -> CloudEventCodec.decode(noType, ok.body()));
        assertEquals("missing header ce_type", e1.getMessage());

        Map<String, String> unknown = new LinkedHashMap<>(ok.headers());
        unknown.put("ce_type", "dev.releasetrain.Nope.v1");
        var e2 = org.junit.jupiter.api.Assertions.assertThrows(CloudEventCodec.UndecodableMessage.class,
                () -> CloudEventCodec.decode(unknown, ok.body()));
        assertTrue(e2.getMessage().contains("unknown event type"), e2.getMessage());

        var e3 = org.junit.jupiter.api.Assertions.assertThrows(CloudEventCodec.UndecodableMessage.class,
                () -> CloudEventCodec.decode(ok.headers(), "{not json".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e3.getMessage().startsWith("data of dev.releasetrain.ReleaseCancelled.v1 is not valid"), e3.getMessage());
    }

    @Test
    void eventsStoredBeforeFieldsWereAddedStillDecode() {
        // The first stored shapes of ReleaseStarted, StepRetryRequested and GateOpened lacked later fields.
        var started = (ReleaseEvent.ReleaseStarted) CloudEventCodec.decodeData("dev.releasetrain.ReleaseStarted.v1",
                "{\"version\":\"1.29.0\",\"kind\":\"minor\",\"previousVersion\":null,\"runbook\":\"proving\",\"runbookHash\":\"sha256:1\",\"startedBy\":\"a\",\"params\":{}}"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("proving", started.runbook());
        assertEquals(null, started.definition());
        var retry = (ReleaseEvent.StepRetryRequested) CloudEventCodec.decodeData("dev.releasetrain.StepRetryRequested.v1",
                "{\"step\":\"git.a\",\"nextAttempt\":2,\"requestedBy\":\"a\",\"reason\":null}".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, retry.nextAttempt());
        assertEquals(null, retry.notBefore());
        var gate = (ReleaseEvent.GateOpened) CloudEventCodec.decodeData("dev.releasetrain.GateOpened.v1",
                "{\"gate\":\"release-day\",\"reason\":\"r\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals("release-day", gate.gate());
    }
}
