package dev.releasetrain.worker.testing;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.KafkaHeaders;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/**
 * The coordinator's side of the bus, for service tests: sends StepRequested commands to a service's
 * command topic (or anything else to any topic) with a plain KafkaProducer, and reads release.results and
 * release.deadletter from the beginning with plain KafkaConsumers, waiting on conditions with a deadline.
 * Tests share one broker per JVM: use a fresh release id per test and filter by it.
 */
public final class TestBus implements AutoCloseable {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    /** Further client settings (security) of every producer and consumer. */
    private final Map<String, ?> clientSettings;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, KafkaConsumer<String, byte[]>> consumers = new HashMap<>();
    private final Map<String, List<ConsumerRecord<String, byte[]>>> seen = new HashMap<>();

    public TestBus(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** A bus whose clients also take {@code clientSettings} (e.g. {@code security.protocol}, {@code sasl.*}). */
    public TestBus(String bootstrapServers, Map<String, ?> clientSettings) {
        this.bootstrapServers = bootstrapServers;
        this.clientSettings = Map.copyOf(clientSettings);
        Properties p = new Properties();
        p.putAll(this.clientSettings);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** A release id no other test uses: {@code 1.29.0-t<random>}. */
    public static String freshReleaseId() {
        return "1.29.0-t" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static StepRequested command(String service, String step, Map<String, String> params) {
        return new StepRequested(step, service, 1, UUID.randomUUID().toString(), params);
    }

    /** Sends the command as the relay does: CloudEvents headers, key = release id. */
    public Envelope send(String releaseId, StepRequested command) {
        Envelope e = Envelope.of("/release-train/coordinator", releaseId, command);
        sendEnvelope(Topics.commands(command.service()), e);
        return e;
    }

    public void sendEnvelope(String topic, Envelope e) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(e);
        sendRaw(topic, e.releaseId(), encoded.body(), encoded.headers());
    }

    public void sendRaw(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send to " + topic, e.getCause());
        }
    }

    /** Waits until release.results holds {@code count} events of the release matching the filter; returns them in order. */
    public List<Envelope> awaitResults(String releaseId, Predicate<Envelope> filter, int count) {
        List<Envelope> found = new ArrayList<>();
        awaitRecords(Topics.RESULTS, DEFAULT_WAIT, all -> {
            found.clear();
            for (ConsumerRecord<String, byte[]> r : all) {
                if (!releaseId.equals(r.key())) {
                    continue;
                }
                Envelope e = CloudEventCodec.decode(headers(r), r.value());
                if (filter.test(e)) {
                    found.add(e);
                }
            }
            return found.size() >= count;
        }, "release " + releaseId + ": " + count + " results");
        return List.copyOf(found);
    }

    /** The events of one command on release.results, once its terminal result (succeeded or failed) is there. */
    public List<Envelope> awaitOutcome(String releaseId, String commandId) {
        List<Envelope> events = new ArrayList<>();
        awaitResults(releaseId, e -> commandIdOf(e.data()).equals(commandId)
                && (e.data() instanceof ReleaseEvent.StepSucceeded || e.data() instanceof ReleaseEvent.StepFailed), 1);
        events.addAll(awaitResults(releaseId, e -> commandIdOf(e.data()).equals(commandId), 1));
        return events;
    }

    /**
     * The terminal result of one command's events ({@link #awaitOutcome}), after checking what came before
     * it: progress, and first a StepStarted naming the result's worker when the step ran past the worker's
     * grace period (a step that ends sooner sends none: its result names the worker and when it began).
     */
    public static Envelope result(List<Envelope> events) {
        Envelope last = events.get(events.size() - 1);
        String worker;
        java.time.Instant startedAt;
        if (last.data() instanceof ReleaseEvent.StepSucceeded s) {
            worker = s.worker();
            startedAt = s.startedAt();
        } else if (last.data() instanceof ReleaseEvent.StepFailed f) {
            worker = f.worker();
            startedAt = f.startedAt();
        } else {
            throw new AssertionError("the last event is not a result: " + events);
        }
        if (worker == null || !worker.startsWith(last.source().substring(last.source().lastIndexOf('/') + 1) + "@")
                || startedAt == null || startedAt.isAfter(last.time())) {
            throw new AssertionError("the result does not name its worker and when it began: " + last);
        }
        for (int i = 0; i < events.size() - 1; i++) {
            ReleaseEvent e = events.get(i).data();
            boolean start = e instanceof ReleaseEvent.StepStarted s && i == 0 && worker.equals(s.worker());
            if (!start && !(e instanceof ReleaseEvent.StepProgress)) {
                throw new AssertionError("before the result, only its start (first) and progress: " + events);
            }
        }
        return last;
    }

    /** Waits for a record on release.deadletter matching the filter. */
    public ConsumerRecord<String, byte[]> awaitDeadLetter(Predicate<ConsumerRecord<String, byte[]>> filter) {
        List<ConsumerRecord<String, byte[]>> match = new ArrayList<>();
        awaitRecords(Topics.DEAD_LETTER, DEFAULT_WAIT, all -> {
            all.stream().filter(filter).findFirst().ifPresent(match::add);
            return !match.isEmpty();
        }, "a matching dead letter");
        return match.get(0);
    }

    public static Map<String, String> headers(ConsumerRecord<String, byte[]> r) {
        return KafkaHeaders.toMap(r.headers());
    }

    public static String commandIdOf(ReleaseEvent e) {
        if (e instanceof ReleaseEvent.StepStarted s) {
            return s.commandId();
        } else if (e instanceof ReleaseEvent.StepProgress p) {
            return p.commandId();
        } else if (e instanceof ReleaseEvent.StepSucceeded s) {
            return s.commandId();
        } else if (e instanceof ReleaseEvent.StepFailed f) {
            return f.commandId();
        }
        return "";
    }

    private void awaitRecords(String topic, Duration wait, Predicate<List<ConsumerRecord<String, byte[]>>> done, String what) {
        KafkaConsumer<String, byte[]> consumer = consumers.computeIfAbsent(topic, this::consumerFromBeginning);
        List<ConsumerRecord<String, byte[]>> all = seen.computeIfAbsent(topic, t -> new ArrayList<>());
        // the consumer is polled by the condition itself, on this thread (a KafkaConsumer is not thread-safe)
        org.awaitility.Awaitility.await("no " + what + " on " + topic)
                .atMost(wait).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    if (done.test(all)) {
                        return true;
                    }
                    consumer.poll(Duration.ofMillis(100)).forEach(all::add);
                    return done.test(all);
                });
    }

    private KafkaConsumer<String, byte[]> consumerFromBeginning(String topic) {
        Properties p = new Properties();
        p.putAll(clientSettings);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumers.values().forEach(c -> c.close(Duration.ofSeconds(5)));
    }
}
