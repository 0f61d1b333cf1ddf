package dev.releasetrain.cdn;

import dev.releasetrain.local.SaslKafka;
import dev.releasetrain.local.SaslKafkaTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.worker.testing.TestBus;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A service's Kafka channels (the worker runtime's command consumer and result producer, shared by the four
 * services) on a broker that accepts only SASL/PLAIN clients, logged in by the application's {@code kafka.*}
 * settings alone, as the Helm chart's {@code kafka.properties} sets them.
 */
@QuarkusTest
@TestProfile(SaslChannelsTest.SaslBroker.class)
class SaslChannelsTest {

    public static class SaslBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SaslKafkaTestResource.class));
        }
    }

    @ConfigProperty(name = "release-train.test.sasl-kafka.bootstrap-servers")
    String saslBootstrapServers;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @Test
    void aCommandFromTheSaslListenerIsRunAndItsResultPublishedThere() {
        String release = TestBus.freshReleaseId();
        StepRequested command = TestBus.command("cdn", "cdn.read-distribution", Map.of("version", release));
        Map<String, String> login = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", SaslKafka.LOGIN);
        try (TestBus bus = new TestBus(saslBootstrapServers, login)) {
            bus.send(release, command);
            List<Envelope> events = bus.awaitOutcome(release, command.commandId());
            StepSucceeded succeeded = assertInstanceOf(StepSucceeded.class, TestBus.result(events).data());
            assertEquals(distributionId, succeeded.outputs().get("distributionId"));
        }
    }
}
