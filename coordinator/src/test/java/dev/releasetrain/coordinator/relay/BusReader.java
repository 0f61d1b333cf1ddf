package dev.releasetrain.coordinator.relay;

import org.awaitility.Awaitility;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Reads topics from their beginning (no consumer group) and keeps every record it saw. */
final class BusReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    BusReader(String bootstrapServers, String... topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    List<ConsumerRecord<String, byte[]>> records(String topic, String key) {
        return seen.stream().filter(r -> r.topic().equals(topic) && key.equals(r.key())).collect(Collectors.toList());
    }

    List<ConsumerRecord<String, byte[]>> records(String topic) {
        return seen.stream().filter(r -> r.topic().equals(topic)).collect(Collectors.toList());
    }

    /** Polls until {@code done} holds; fails the test after {@code timeout}. */
    void pollUntil(BooleanSupplier done, Duration timeout, String what) {
        Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ZERO)
                .until(() -> {
                    if (done.getAsBoolean()) {
                        return true;
                    }
                    consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                    return false;
                });
    }

    /** Reads everything the topics hold right now. */
    void readToEnd(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        pollUntil(() -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()),
                timeout, "the end of " + end.keySet());
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static Map<String, String> headers(ConsumerRecord<String, byte[]> record) {
        return dev.releasetrain.protocol.KafkaHeaders.toMap(record.headers());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
