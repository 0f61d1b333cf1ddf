package dev.releasetrain.git;

import dev.releasetrain.local.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The producer of a service's results, as the worker runtime's shared configuration sets it up: every
 * result acknowledged by all replicas, and sent at once (Kafka 4's clients would wait 5 ms per batch).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(GitSandboxResource.class)
class ResultChannelTest {
    @Inject
    KafkaClientService kafka;

    @Test
    void resultsAreSentAtOnceAndAcknowledgedByAllReplicas() {
        Map<String, ?> config = kafka.getProducer("results").configuration();
        assertEquals("0", String.valueOf(config.get("linger.ms")), "linger.ms of the results producer");
        assertEquals("all", String.valueOf(config.get("acks")), "acks of the results producer");
    }
}
