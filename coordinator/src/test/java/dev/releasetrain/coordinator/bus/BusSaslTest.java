package dev.releasetrain.coordinator.bus;

import dev.releasetrain.local.SaslKafka;
import dev.releasetrain.protocol.Topics;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The coordinator's own consumers (the results consumer and the live feed) against a broker that accepts only
 * SASL/PLAIN clients, configured as the Helm chart configures them: {@code kafka.*} properties. The relay's producer
 * is {@code RelaySaslTest}'s.
 */
class BusSaslTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path kafkaDir;
    private static SaslKafka broker;
    private static SmallRyeConfig config;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = SaslKafka.start(kafkaDir);
        // the chart's kafka.properties, with the login the chart takes from a Secret
        config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(Map.of(
                "kafka.bootstrap.servers", broker.bootstrap(),
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", SaslKafka.LOGIN), "kafka.properties", 250)).build();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theResultsConsumerReadsResultsFromTheSaslListener() {
        ResultsConsumer results = new ResultsConsumer();
        results.config = config;
        results.groupId = "coordinator-sasl";
        String key = "9.2.0-" + UUID.randomUUID();
        publish(Topics.RESULTS, key);
        assertEquals(List.of(key), keysReadBy(results.properties(), Topics.RESULTS, key));
    }

    @Test
    void theLiveFeedReadsEventsFromTheSaslListener() {
        LiveFeed feed = new LiveFeed();
        feed.config = config;
        String key = "9.3.0-" + UUID.randomUUID();
        publish(Topics.EVENTS, key);
        assertEquals(List.of(key), keysReadBy(feed.properties(), Topics.EVENTS, key));
    }

    private static void publish(String topic, String key) {
        Properties p = new Properties();
        p.putAll(broker.client());
        p.remove("enable.auto.commit");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, key.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot publish to " + topic, e);
        }
    }

    /** The keys {@code key} a consumer with the coordinator's settings reads from the topic's beginning. */
    private static List<String> keysReadBy(Properties settings, String topic, String key) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        seen.add(r.key());
                    }
                }
                return !seen.isEmpty();
            });
        }
        return seen;
    }
}
