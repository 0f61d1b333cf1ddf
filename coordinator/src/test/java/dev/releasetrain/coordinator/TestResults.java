package dev.releasetrain.coordinator;

import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.awaitility.Awaitility;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/** What tests of result handling share: a worker's result as a Kafka record, a producer, waiting for a condition. */
public final class TestResults {
    private TestResults() {
    }

    /** The release's latest StepRequested. */
    public static StepRequested lastRequest(ReleaseLog log, String releaseId) {
        List<Envelope> stream = log.read(releaseId);
        for (int i = stream.size() - 1; i >= 0; i--) {
            if (stream.get(i).data() instanceof StepRequested r) {
                return r;
            }
        }
        throw new AssertionError("no step requested in " + stream);
    }

    /** A result as a worker puts it on release.results: key = release, CloudEvents headers. */
    public static ProducerRecord<String, byte[]> encoded(Envelope e) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(e);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RESULTS, e.releaseId(), encoded.body());
        encoded.headers().forEach((k, val) -> record.headers().add(k, val.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Waits until the condition holds, for at most a minute. */
    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }
}
