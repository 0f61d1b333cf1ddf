package dev.releasetrain.launcher.bench;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import dev.releasetrain.worker.CommandLog;
import dev.releasetrain.worker.ResultPublisher;
import dev.releasetrain.worker.SecretRedactor;
import dev.releasetrain.worker.StartReports;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepDispatcher;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepHandlers;
import dev.releasetrain.worker.StepOutcome;
import dev.releasetrain.worker.WorkerIdentity;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The four services as no-op step handlers, run by the real worker runtime in this JVM: its
 * {@link StepDispatcher} (decode, commandId dedupe, the handler, StepSucceeded sent and acknowledged,
 * as with {@code KafkaResultPublisher}; StepStarted only past the services' grace period) on 16
 * threads (the services' {@code max-concurrency}), fed by one plain Kafka consumer on every command
 * topic instead of the SmallRye connector. The hop is measured from just before StepSucceeded is
 * sent to the arrival of the release's next command.
 */
final class NoOpWorkers implements AutoCloseable {
    private final AtomicLong commands = new AtomicLong();
    private volatile Samples hops; // null: not recording
    /** When set: the wall-clock arrival of each command, by command id (for the hop breakdown). */
    private volatile Map<String, Instant> arrivals;
    private final Map<String, Long> succeededAt = new ConcurrentHashMap<>();
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean running = true;
    private final Thread thread;
    /** As in the services: a step's StepStarted only if it runs longer than the grace period (so never, here). */
    private final StartReports starts = new StartReports(StartReports.DEFAULT_AFTER);
    private final java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "bench-noop-step");
        t.setDaemon(true);
        return t;
    });

    NoOpWorkers(String bootstrap) {
        List<String> topics = Topics.SERVICES.stream().map(Topics::commands).toList();
        KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap);
        List<StepHandler> handlers = new ArrayList<>();
        for (int i = 1; i <= Runbooks.RUNBOOK_STEPS; i++) {
            String id = Runbooks.stepId(i);
            handlers.add(new StepHandler() {
                @Override
                public String stepId() {
                    return id;
                }

                @Override
                public StepOutcome run(StepContext ctx) {
                    return StepOutcome.succeeded(Map.of());
                }
            });
        }
        ResultPublisher publisher = new ResultPublisher() {
            @Override
            public void publish(Envelope event) {
                try {
                    sendRecord(event, null).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("result not acknowledged by Kafka: " + e, e);
                }
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> publishAsync(Envelope event) {
                CompletableFuture<Void> acked = new CompletableFuture<>();
                sendRecord(event, (meta, error) -> {
                    if (error != null) {
                        acked.completeExceptionally(error);
                    } else {
                        acked.complete(null);
                    }
                });
                return acked;
            }

            private java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> sendRecord(
                    Envelope event, org.apache.kafka.clients.producer.Callback callback) {
                if (event.data() instanceof StepSucceeded) {
                    succeededAt.put(event.releaseId(), System.nanoTime());
                }
                var encoded = CloudEventCodec.encode(event);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.RESULTS, event.releaseId(), encoded.body());
                encoded.headers().forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                return producer.send(record, callback);
            }
        };
        StepDispatcher dispatcher = new StepDispatcher(new StepHandlers(handlers), new CommandLog(100_000), publisher,
                new SecretRedactor(List.of()), new WorkerIdentity("bench-noop", "bench"), starts);
        thread = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = KafkaClients.consumer(bootstrap, "bench-noop-workers")) {
                consumer.subscribe(topics, new ConsumerRebalanceListener() {
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
                        long arrived = System.nanoTime();
                        Instant arrivedAt = Instant.now();
                        Header subject = r.headers().lastHeader(CloudEventCodec.H_SUBJECT);
                        Header id = r.headers().lastHeader(CloudEventCodec.H_ID);
                        String release = subject == null ? r.key() : new String(subject.value(), StandardCharsets.UTF_8);
                        Long previous = release == null ? null : succeededAt.remove(release);
                        Samples h = hops;
                        if (previous != null && h != null) {
                            h.add(arrived - previous);
                        }
                        Map<String, String> headers = KafkaClients.headers(r);
                        String origin = r.topic() + "/" + r.partition() + "@" + r.offset();
                        pool.execute(() -> {
                            StepDispatcher.Disposition d = dispatcher.dispatch(headers, r.value(), origin);
                            if (d instanceof StepDispatcher.Disposition.Completed c) {
                                commands.incrementAndGet();
                                Map<String, Instant> a = arrivals;
                                if (a != null && c.result().data() instanceof StepSucceeded s) {
                                    a.put(s.commandId(), arrivedAt);
                                }
                            } else if (d instanceof StepDispatcher.Disposition.Rejected rejected) {
                                System.err.println("bench worker: " + rejected.reason());
                            }
                        });
                    }
                }
            } finally {
                // steps still running publish their results before the producer closes
                pool.shutdown();
                try {
                    pool.awaitTermination(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                starts.close();
                producer.close();
            }
        }, "bench-noop-workers");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * From now on, each hop (StepSucceeded sent to the release's next command) goes to {@code hops} and, when
     * {@code arrivals} is given, each command's wall-clock arrival to it by command id; until {@link #stopRecording}.
     */
    void record(Samples hops, Map<String, Instant> arrivals) {
        this.arrivals = arrivals;
        this.hops = hops;
    }

    void stopRecording() {
        this.hops = null;
        this.arrivals = null;
    }

    /** Commands completed so far. */
    long commands() {
        return commands.get();
    }

    void awaitAssigned() throws InterruptedException {
        if (!assigned.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the no-op workers got no command partitions");
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
        pool.shutdownNow();
    }
}
