package dev.releasetrain.coordinator.relay;

import dev.releasetrain.local.LocalPostgres;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
    private static final String RELAY_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"relay\" password=\"relay-secret\";";

    @TempDir
    static Path kafkaDir;
    private static KafkaRaftServer broker;
    private static String bootstrap;
    private static LocalPostgres postgres;

    @BeforeAll
    static void startInfra() throws Exception {
        postgres = LocalPostgres.start();
        int port = freePort();
        int controllerPort = freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "SASL_PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
                        + "user_admin=\"admin-secret\" user_relay=\"relay-secret\";");
        p.put("log.dirs", kafkaDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(config.nodeId()).setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(config.metadataLogDir())
                .setDirectories(List.of(kafkaDir.toAbsolutePath().toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
        broker = new KafkaRaftServer(config, Time.SYSTEM);
        broker.startup();
        bootstrap = "127.0.0.1:" + port;
        Map<String, Object> admin = new HashMap<>(client());
        try (Admin a = Admin.create(admin)) {
            a.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopInfra() {
        try {
            if (broker != null) {
                broker.shutdown();
                broker.awaitShutdown();
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
                    "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", RELAY_LOGIN);
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

    /** A client of the SASL listener, logged in as the relay's user. */
    private static Map<String, Object> client() {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", RELAY_LOGIN,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
