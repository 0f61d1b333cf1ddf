package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Decodes a command and encodes a result once while the service starts, before it reports ready: the first
 * use of the codec loads and initializes Jackson and the event types, which took about a second in a
 * service whose start-up had not touched Jackson, and that second was spent on its first command.
 */
@Singleton
public class CodecWarmUp {
    private static final Logger LOG = Logger.getLogger(CodecWarmUp.class);

    void onStart(@Observes StartupEvent start) {
        long t0 = System.nanoTime();
        try {
            Map<String, String> headers = Map.of(
                    CloudEventCodec.H_SPEC, CloudEventCodec.SPEC_VERSION,
                    CloudEventCodec.H_ID, "warm-up",
                    CloudEventCodec.H_SOURCE, "/release-train/warm-up",
                    CloudEventCodec.H_TYPE, "dev.releasetrain.StepRequested.v1",
                    CloudEventCodec.H_SUBJECT, "0.0.0",
                    CloudEventCodec.H_TIME, Instant.now().toString());
            byte[] body = "{\"step\":\"warm.up\",\"service\":\"warm\",\"attempt\":1,\"commandId\":\"0.0.0/warm.up/1\",\"params\":{\"a\":\"b\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            Envelope command = CloudEventCodec.decode(headers, body);
            CloudEventCodec.encode(Envelope.of("/release-train/warm-up", command.releaseId(),
                    new ReleaseEvent.StepSucceeded("warm.up", 1, "0.0.0/warm.up/1", Map.of("a", "b"), "warm-up", Instant.now())));
        } catch (RuntimeException e) {
            // only a head start: a real command meets the same problem and is dead-lettered with its reason
            LOG.debugf(e, "codec warm-up failed");
        }
        LOG.debugf("codec warmed up in %d ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
