package dev.releasetrain.local;

import dev.releasetrain.protocol.Topics;

/**
 * One broker and one PostgreSQL per test JVM, shared by every Quarkus test resource that asks:
 * Quarkus restarts the app (and its test resources) for every test profile, and a broker start
 * costs seconds. They stop in a shutdown hook when the test JVM exits (surefire ends its forks
 * with System.exit). Tests sharing them must not assume empty topics or tables (use fresh
 * release ids).
 */
final class SharedTestInfra {
    private static EmbeddedKafka kafka;
    private static LocalPostgres postgres;
    private static boolean hookRegistered;

    private SharedTestInfra() {
    }

    static synchronized String kafkaBootstrapServers() {
        var external = LocalInfra.externalKafka();
        if (external.isPresent()) {
            EmbeddedKafka.createTopics(external.get(), Topics.all(), 3);
            return external.get();
        }
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
            kafka.createTopics(Topics.all(), 3);
            registerHook();
        }
        return kafka.bootstrapServers();
    }

    static synchronized LocalPostgres postgres() {
        if (postgres == null) {
            postgres = LocalPostgres.start();
            registerHook();
        }
        return postgres;
    }

    private static void registerHook() {
        if (hookRegistered) {
            return;
        }
        hookRegistered = true;
        Runtime.getRuntime().addShutdownHook(new Thread(SharedTestInfra::stopAll, "release-train-test-infra-stop"));
    }

    private static synchronized void stopAll() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
