package dev.releasetrain.launcher.bench;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseCompleted;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseFailed;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Watches release.events for the end of each release (headers only: no body is decoded). */
final class EventsWatcher implements AutoCloseable {
    private static final String COMPLETED = EventTypes.typeOf(ReleaseCompleted.class);
    private static final String FAILED = EventTypes.typeOf(ReleaseFailed.class);

    private record Expected(long startedAt, Samples runs, CompletableFuture<Boolean> done) {
    }

    private final Map<String, Expected> expected = new ConcurrentHashMap<>();
    /** When set: the wall-clock time each awaited release's ReleaseCompleted was seen (for the run's split). */
    private volatile Map<String, Instant> completions;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean running = true;
    private final Thread thread;

    EventsWatcher(String bootstrap) {
        thread = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(bootstrap, "bench-events-" + UUID.randomUUID())) {
                consumer.subscribe(List.of(Topics.EVENTS), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (!partitions.isEmpty()) {
                            assigned.countDown();
                        }
                    }
                });
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        Header type = r.headers().lastHeader(CloudEventCodec.H_TYPE);
                        if (type == null) {
                            continue;
                        }
                        String t = new String(type.value(), StandardCharsets.UTF_8);
                        boolean completed = t.equals(COMPLETED);
                        if (!completed && !t.equals(FAILED)) {
                            continue;
                        }
                        long at = System.nanoTime();
                        Instant seen = Instant.now();
                        Expected x = expected.remove(r.key());
                        if (x != null) {
                            if (completed && x.runs() != null) {
                                x.runs().add(at - x.startedAt());
                                Map<String, Instant> c = completions;
                                if (c != null) {
                                    c.put(r.key(), seen);
                                }
                            }
                            x.done().complete(completed);
                        }
                    }
                }
            }
        }, "bench-events");
        thread.setDaemon(true);
        thread.start();
    }

    /** From now on, when each awaited release's ReleaseCompleted was seen goes to {@code completions}, until set to null. */
    void recordCompletions(Map<String, Instant> completions) {
        this.completions = completions;
    }

    /** Completes true on the release's ReleaseCompleted, false on ReleaseFailed; a completed run's time goes to {@code runs}. */
    CompletableFuture<Boolean> expect(String release, Samples runs) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        expected.put(release, new Expected(System.nanoTime(), runs, done));
        return done;
    }

    void awaitAssigned() throws InterruptedException {
        if (!assigned.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the events watcher got no partition of " + Topics.EVENTS);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
