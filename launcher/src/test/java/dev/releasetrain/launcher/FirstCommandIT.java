package dev.releasetrain.launcher;

import dev.releasetrain.launcher.bench.KafkaClients;
import dev.releasetrain.local.EmbeddedKafka;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.sandbox.Sandbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service as the stack starts it (here the CDN service, against a real broker and the sandbox's CloudFront):
 * when it says it is ready its command consumer already holds its partitions, and commands on a partition it
 * has not read from before reach their step. The time each took is printed (the consumer polls at most 100 ms
 * at a time, so no command waits about a second for the poll in progress).
 */
class FirstCommandIT {
    static final String SERVICE = "cdn-service";
    static final String COMMANDS = Topics.commands("cdn");

    static Path runDir;
    static EmbeddedKafka kafka;
    static Sandbox sandbox;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        runDir = Files.createTempDirectory("release-train-first-command-");
        kafka = EmbeddedKafka.start();
        kafka.createTopics(Topics.all(), 3);
        sandbox = Sandbox.start(runDir.resolve("sandbox"));
        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        common.put("quarkus.log.console.format", Stack.LOG_FORMAT);
        service = Stack.services(Stack.home(), runDir, sandbox, common, "http://127.0.0.1:9", Files.createDirectories(runDir.resolve("logs")), false)
                .stream().filter(p -> p.name.equals(SERVICE)).findFirst().orElseThrow();
        service.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (runDir != null) {
            try (var paths = Files.walk(runDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // best effort: a temporary directory
            }
        }
    }

    @Test
    void readyMeansItsCommandConsumerHoldsItsPartitionsAndANewPartitionsFirstCommandRuns() throws Exception {
        service.awaitReady(Duration.ofSeconds(180));
        Set<Integer> assigned;
        try (Admin admin = kafka.admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(SERVICE)).all().get(30, TimeUnit.SECONDS).get(SERVICE);
            assigned = group.members().stream().map(MemberDescription::assignment)
                    .flatMap(a -> a.topicPartitions().stream())
                    .filter(tp -> tp.topic().equals(COMMANDS)).map(TopicPartition::partition)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(Set.of(0, 1, 2), assigned, "the partitions of " + COMMANDS + " held by group " + SERVICE + " when it said it was ready");

        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(kafka.bootstrapServers());
             KafkaConsumer<String, byte[]> results = KafkaClients.consumer(kafka.bootstrapServers(), null)) {
            List<TopicPartition> resultPartitions = results.partitionsFor(Topics.RESULTS).stream()
                    .map(p -> new TopicPartition(Topics.RESULTS, p.partition())).toList();
            results.assign(resultPartitions);
            results.seekToBeginning(resultPartitions);

            // the first command warms the service's code paths (partition 0) ...
            Duration warmUp = hop(producer, results, 0, "1.0.0");
            // ... the second is the first on partition 1: the consumer looks up that partition's committed offset
            Duration firstOnPartition = hop(producer, results, 1, "1.0.1");
            System.out.printf("%s: first command %d ms from the topic to its step, first on a second partition %d ms%n",
                    SERVICE, warmUp.toMillis(), firstOnPartition.toMillis());
            // Both commands ran (hop waits for their StepStarted). How long they took is a figure to read,
            // not a pass mark: timing belongs in the bench, and a loaded CI machine would make it flaky.
            assertTrue(!firstOnPartition.isNegative(), "the first command on partition 1 ran; log:\n" + service.tail(30));
        }
    }

    /** Sends cdn.read-distribution for {@code release} to {@code partition}; the time from its record to its step's start. */
    private static Duration hop(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> results, int partition,
                                String release) throws Exception {
        String commandId = release + "/cdn.read-distribution/1";
        // the command as the coordinator publishes it: CloudEvents headers, StepRequested JSON data
        String data = "{\"step\":\"cdn.read-distribution\",\"service\":\"cdn\",\"attempt\":1,\"commandId\":\"" + commandId + "\",\"params\":{}}";
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(COMMANDS, partition, release, data.getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = Map.of(CloudEventCodec.H_SPEC, CloudEventCodec.SPEC_VERSION, CloudEventCodec.H_ID, UUID.randomUUID().toString(),
                CloudEventCodec.H_SOURCE, "/release-train/first-command-it", CloudEventCodec.H_TYPE, "dev.releasetrain.StepRequested.v1",
                CloudEventCodec.H_SUBJECT, release, CloudEventCodec.H_TIME, Instant.now().toString(),
                CloudEventCodec.H_CONTENT_TYPE, CloudEventCodec.CONTENT_TYPE);
        headers.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        RecordMetadata sent = producer.send(record).get(30, TimeUnit.SECONDS);
        Instant onTheTopic = Instant.ofEpochMilli(sent.timestamp());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : results.poll(Duration.ofMillis(200))) {
                Envelope e = CloudEventCodec.decode(KafkaClients.headers(r), r.value());
                seen.add(e.type());
                if (e.data() instanceof ReleaseEvent.StepSucceeded s && commandId.equals(s.commandId())) {
                    return Duration.between(onTheTopic, s.startedAt());
                }
                if (e.data() instanceof ReleaseEvent.StepFailed f && commandId.equals(f.commandId())) {
                    throw new AssertionError(commandId + " failed: " + f.reason());
                }
            }
        }
        throw new AssertionError("no result for " + commandId + " within 60 s (seen " + seen + "); log:\n" + service.tail(40));
    }
}
