package dev.releasetrain.local;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedStackTest {

    @Test
    void brokerDeliversARecordProducedWithAcksAll() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of("release.events", "release.results"), 3);
            kafka.createTopics(List.of("release.events"), 3); // existing topics are fine

            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("release.events", "1.29.0", "hello")).get(30, TimeUnit.SECONDS);
            }

            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (var consumer = new KafkaConsumer<String, String>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "embedded-stack-test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("release.events"));
                Instant deadline = Instant.now().plusSeconds(30);
                while (received.isEmpty() && Instant.now().isBefore(deadline)) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
            }
            assertEquals(1, received.size());
            assertEquals("1.29.0", received.get(0).key());
            assertEquals("hello", received.get(0).value());
        }
    }

    /**
     * A new consumer group gets its partitions as soon as its first member joins: the broker's default
     * initial rebalance delay (3 s, waiting for more members) would hold every service's first command.
     */
    @Test
    void aNewConsumerGroupHoldsItsPartitionsWithoutTheInitialRebalanceDelay() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of("release.commands.cdn"), 3);
            timeToAssignment(kafka, "first-group"); // the first group also creates __consumer_offsets
            Duration join = timeToAssignment(kafka, "second-group");
            assertTrue(join.compareTo(Duration.ofMillis(2500)) < 0, "a new group held its partitions after " + join.toMillis() + " ms");
        }
    }

    private static Duration timeToAssignment(EmbeddedKafka kafka, String group) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group),
                new StringDeserializer(), new StringDeserializer())) {
            long t0 = System.nanoTime();
            consumer.subscribe(List.of("release.commands.cdn"));
            Instant deadline = Instant.now().plusSeconds(30);
            while (consumer.assignment().isEmpty() && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(50));
            }
            assertEquals(3, consumer.assignment().size(), group + " holds the topic's partitions");
            return Duration.ofNanos(System.nanoTime() - t0);
        }
    }

    @Test
    void postgresIsReadyForLogicalDecoding() throws Exception {
        try (LocalPostgres pg = LocalPostgres.start();
             Connection c = pg.dataSource().getConnection();
             Statement s = c.createStatement()) {
            assertTrue(pg.jdbcUrl().endsWith("/" + LocalPostgres.DATABASE));
            assertEquals("logical", single(s, "show wal_level"));
            assertEquals("on", single(s, "show synchronous_commit"));
            assertEquals("on", single(s, "show fsync"));
            assertEquals(LocalPostgres.DATABASE, single(s, "select current_database()"));

            s.execute("select pg_create_logical_replication_slot('t', 'pgoutput')");
            assertEquals("t", single(s, "select slot_name from pg_replication_slots where slot_name = 't'"));
            s.execute("select pg_drop_replication_slot('t')");
            try (ResultSet rs = s.executeQuery("select 1 from pg_replication_slots where slot_name = 't'")) {
                assertFalse(rs.next());
            }
        }
    }

    @Test
    void postgresKeepsItsDataInAGivenDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (LocalPostgres pg = LocalPostgres.start(dir, 0);
             Connection c = pg.dataSource().getConnection();
             Statement s = c.createStatement()) {
            s.execute("create table kept (v text)");
            s.execute("insert into kept values ('still here')");
        }
        try (LocalPostgres pg = LocalPostgres.start(dir, 0);
             Connection c = pg.dataSource().getConnection();
             Statement s = c.createStatement()) {
            assertEquals("still here", single(s, "select v from kept"));
        }
    }

    private static String single(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
