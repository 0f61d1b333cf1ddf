package dev.releasetrain.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * {@code @QuarkusTestResource(KafkaTestResource.class)}: a real broker (or the external one named by
 * {@code KAFKA_BOOTSTRAP_SERVERS}) with every Release Train topic created (3 partitions), shared by
 * the whole test JVM. Sets {@code kafka.bootstrap.servers}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedTestInfra.kafkaBootstrapServers());
    }

    @Override
    public void stop() {
        // shared by the test JVM: stopped by SharedTestInfra's shutdown hook
    }
}
