package dev.releasetrain.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A test resource of its own {@link SaslKafka} broker (started and stopped with the test's application), for a
 * test profile: the application's {@code kafka.*} security settings log in to it as the Helm chart's
 * {@code kafka.properties} would, and its Kafka connector's address is the broker's
 * ({@code mp.messaging.connector.smallrye-kafka.bootstrap.servers}, so it does not compete with the shared broker's
 * {@code kafka.bootstrap.servers} of {@link KafkaTestResource}). The broker's address for the test's own clients is
 * {@code release-train.test.sasl-kafka.bootstrap-servers}.
 */
public class SaslKafkaTestResource implements QuarkusTestResourceLifecycleManager {
    private SaslKafka kafka;

    @Override
    public Map<String, String> start() {
        try {
            kafka = SaslKafka.start();
        } catch (Exception e) {
            throw new IllegalStateException("the SASL broker did not start", e);
        }
        return Map.of(
                "mp.messaging.connector.smallrye-kafka.bootstrap.servers", kafka.bootstrap(),
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", SaslKafka.LOGIN,
                "release-train.test.sasl-kafka.bootstrap-servers", kafka.bootstrap());
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
