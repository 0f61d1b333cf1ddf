package dev.releasetrain.local;

import dev.releasetrain.protocol.Topics;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker in this JVM whose only client listener is SASL_PLAINTEXT with the PLAIN mechanism, every topic
 * of the protocol created (one partition): a client without the login cannot even read the cluster's metadata.
 * The users are {@code admin} and {@code release-train}. For the tests that show every Kafka client of the
 * applications takes the {@code kafka.*} security settings; {@link EmbeddedKafka} is the stack's broker.
 */
public final class SaslKafka implements AutoCloseable {
    /** The login of the user {@code release-train}, as a client's {@code sasl.jaas.config} has it. */
    public static final String LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"release-train\" password=\"release-train-secret\";";

    private final KafkaRaftServer broker;
    private final String bootstrap;
    /** A temporary directory of its own, deleted on close; null when the caller gave one. */
    private Path temporaryDir;

    private SaslKafka(KafkaRaftServer broker, String bootstrap) {
        this.broker = broker;
        this.bootstrap = bootstrap;
    }

    /** A broker on a fresh temporary directory, deleted on close. */
    public static SaslKafka start() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("release-train-sasl-kafka-");
        try {
            SaslKafka kafka = start(dir);
            kafka.temporaryDir = dir;
            return kafka;
        } catch (Exception | Error e) {
            TempDirectories.delete(dir);
            throw e;
        }
    }

    public static SaslKafka start(Path dir) throws Exception {
        // as EmbeddedKafka: the broker loads its plugins through the context class loader, a Quarkus test's own
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SaslKafka.class.getClassLoader());
        try {
            return startBroker(dir);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static SaslKafka startBroker(Path dir) throws Exception {
        BrokerLogging.quiet();
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
                        + "user_admin=\"admin-secret\" user_release-train=\"release-train-secret\";");
        p.put("log.dirs", dir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        KafkaConfig config = KafkaConfig.fromProps(p, false);
        new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(config.nodeId()).setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER").setMetadataLogDirectory(config.metadataLogDir())
                .setDirectories(List.of(dir.toAbsolutePath().toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        SaslKafka broker = new SaslKafka(server, "127.0.0.1:" + port);
        try (Admin a = Admin.create(broker.client())) {
            a.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get(60, TimeUnit.SECONDS);
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** The settings of a client logged in as {@code release-train}, without the {@code kafka.} prefix. */
    public Map<String, Object> client() {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", LOGIN,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }

    @Override
    public void close() {
        try {
            broker.shutdown();
            broker.awaitShutdown();
        } finally {
            TempDirectories.delete(temporaryDir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
