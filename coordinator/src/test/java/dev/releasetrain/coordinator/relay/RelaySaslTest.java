package dev.releasetrain.coordinator.relay;

import dev.releasetrain.local.SaslKafka;
import dev.releasetrain.local.LocalPostgres;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay against a broker that accepts only SASL/PLAIN clients and a database URL with a parameter:
 * the settings the coordinator's configuration has (Quarkus's {@code default-kafka-broker} map) reach the
 * relay's producer, and the URL's parameters reach its own connections.
 */
class RelaySaslTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path kafkaDir;
    private static SaslKafka broker;
    private static String bootstrap;
    private static LocalPostgres postgres;

    @BeforeAll
    static void startInfra() throws Exception {
        postgres = LocalPostgres.start();
        broker = SaslKafka.start(kafkaDir);
        bootstrap = broker.bootstrap();
    }

    @AfterAll
    static void stopInfra() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Test
    void theRelayPublishesToASaslListenerAndConnectsWithTheUrlsParameters() throws Exception {
        String slot = "relay_sasl";
        String release = "9.1.0-sasl";
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot)) {
            // as Quarkus's default-kafka-broker map has the coordinator's kafka.* configuration
            Map<String, Object> coordinatorKafka = Map.of("bootstrap.servers", bootstrap,
                    "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", SaslKafka.LOGIN);
            RelayConfig config = RelayConfig.fromJdbcUrl(log.jdbcUrl() + "?ApplicationName=release-train-relay-sasl&connectTimeout=20",
                            postgres.username(), postgres.password(), bootstrap)
                    .withSlotName(slot).withPublicationName(slot).withKafkaSettings(coordinatorKafka);

            try (Relay relay = Relay.start(config);
                 KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(client(), new StringDeserializer(),
                         new ByteArrayDeserializer())) {
                await().atMost(WAIT).until(relay::isActive);
                // the relay's lock connection carries the URL's parameters
                assertTrue(log.count("select count(*) from pg_stat_activity where application_name = 'release-train-relay-sasl'") >= 1,
                        "a connection of the relay named by the URL's ApplicationName");

                Envelope started = log.append(release, 1, new ReleaseStarted(release, "minor", "1.28.0", "proving", "hash",
                        "test", Map.of(), null));
                Envelope requested = log.append(release, 2, new StepRequested("git.resolve-head", "git", 1,
                        "cmd-git-resolve-head", Map.of("version", release)));

                List<TopicPartition> partitions = List.of(new TopicPartition(Topics.EVENTS, 0),
                        new TopicPartition(Topics.commands("git"), 0));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
                await().atMost(WAIT).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                    return seen.stream().filter(r -> r.topic().equals(Topics.EVENTS)).count() >= 2
                            && seen.stream().anyMatch(r -> r.topic().equals(Topics.commands("git")));
                });
                assertEquals(List.of(started.id(), requested.id()), seen.stream().filter(r -> r.topic().equals(Topics.EVENTS))
                        .map(r -> BusReader.header(r, "ce_id")).toList());
                assertEquals(release, seen.stream().filter(r -> r.topic().equals(Topics.commands("git")))
                        .findFirst().orElseThrow().key());
            }
            log.dropSlot(slot);
        }
    }

    /** A client of the SASL listener, logged in as the coordinator's user. */
    private static Map<String, Object> client() {
        return broker.client();
    }
}
