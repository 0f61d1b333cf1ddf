package dev.releasetrain.coordinator.bus;

import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.release.ResultLogContext;
import dev.releasetrain.coordinator.release.ResultsBacklog;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Consumes {@code release.results} on a thread of its own, the hot path of every step: poll, record
 * the whole poll in one transaction ({@link Releases#recordAll}), which publishes what follows right
 * after its commit, then commit the offsets. A plain Kafka consumer rather than a SmallRye channel:
 * no hand-off between the polling thread, the event loop and a worker thread per batch, which on two
 * cores was a measurable share of the step hop (docs/architecture.md).
 *
 * <p>At least once: offsets are committed after the batch is in the log; a redelivered result is
 * dropped by its event id. A result the coordinator cannot record is parked alone on
 * {@code release.deadletter} with the reason, and the rest of its poll goes on: a record that is not a
 * step result, one the log cannot hold ({@link ResultChecks}), one the database refuses (then the poll
 * is recorded one result at a time to find it), one the release refuses (an unknown release or step,
 * a result that does not answer the step's current command). While the release log cannot be reached,
 * the same batch is tried again with backoff.
 *
 * <p>Timers wait for it ({@link ResultsBacklog}): after a start, until it has recorded the results that
 * were waiting (the end offsets it saw when given its partitions), or for at most
 * {@code release-train.results.catch-up-max-wait}. Its readiness check turns red when it has not come
 * back to poll for {@code release-train.results.stalled-after}. Every {@code kafka.*} setting of the
 * application applies to this consumer too (security, for instance).
 */
@ApplicationScoped
public class ResultsConsumer implements ResultsBacklog {
    private static final Logger LOG = Logger.getLogger(ResultsConsumer.class);
    private static final String STEP_STARTED = EventTypes.typeOf(ReleaseEvent.StepStarted.class);

    @Inject
    Releases releases;
    @Inject
    BusConsumers bus;
    @Inject
    Config config;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "release-train.results.group-id", defaultValue = "coordinator")
    String groupId;
    @ConfigProperty(name = "release-train.results.enabled", defaultValue = "true")
    boolean enabled;
    /** How long a poll holding only StepStarted results waits for the results that may follow (0: not at all). */
    @ConfigProperty(name = "release-train.results.started-wait-ms", defaultValue = "3")
    volatile long startedWaitMs;
    /**
     * Offsets are committed at most this often while results flow, and as soon as a poll comes back empty.
     * Committing after every poll sent an offset commit to the broker per poll (hundreds a second under
     * load) that piled up unanswered on a busy machine; a result redelivered after a crash is dropped by
     * its event id, so a longer interval only means a few more duplicates to drop.
     */
    @ConfigProperty(name = "release-train.results.commit-interval-ms", defaultValue = "200")
    long commitIntervalMs;
    /** Timers wait at most this long after a start for the results that were waiting to be recorded. */
    @ConfigProperty(name = "release-train.results.catch-up-max-wait", defaultValue = "30s")
    Duration catchUpMaxWait;
    /** Not ready when the consumer has not come back to poll for this long (a database outage, a stuck batch). */
    @ConfigProperty(name = "release-train.results.stalled-after", defaultValue = "30s")
    Duration stalledAfter;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Throwable died;
    private volatile CatchUp catchUp;
    /** When a poll last returned (System.nanoTime). */
    private volatile long lastPoll;
    /** Records behind the end of this consumer's partitions after its last poll (a metric). */
    private volatile long lag;
    /** Offsets of results recorded but not committed yet; used by the consumer's thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();

    void start(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        Gauge.builder("release_train_results_consumer_lag_records", this, ResultsConsumer::lag)
                .description("Results on release.results not yet read by this coordinator, over its partitions").register(registry);
        died = null;
        catchUp = new CatchUp(catchUpMaxWait);
        lastPoll = System.nanoTime();
        consumer = new KafkaConsumer<>(properties(), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.RESULTS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // another instance takes partitions over: hand them over with what was recorded (on this thread, in poll)
                if (!uncommitted.isEmpty()) {
                    try {
                        consumer.commitSync(new HashMap<>(uncommitted), Duration.ofSeconds(5));
                    } catch (RuntimeException e) {
                        LOG.debugf("committing result offsets before a rebalance failed (%s); the results come again and are dropped by id", e);
                    }
                    uncommitted.clear();
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                catchUp.assigned(consumer, partitions);
            }
        });
        running = true;
        thread = new Thread(this::run, "release-train-results");
        thread.setDaemon(true);
        thread.start();
    }

    Properties properties() {
        Properties p = KafkaSettings.of(config);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "coordinator-results");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        // the broker answers a fetch as soon as a record arrives; while idle, fewer empty round trips
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5000");
        return p;
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        long lastCommit = System.nanoTime();
        try {
            while (running) {
                ConsumerRecords<String, byte[]> polled = c.poll(Duration.ofMillis(uncommitted.isEmpty() ? 1_000 : commitIntervalMs));
                lastPoll = System.nanoTime();
                lag = lagOf(c);
                if (polled.isEmpty()) {
                    catchUp.recorded(c);
                    commit(c);
                    lastCommit = System.nanoTime();
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(polled.count());
                polled.forEach(records::add);
                if (startedWaitMs > 0 && onlyStarts(records)) {
                    // A worker that sent StepStarted may send the result right after (a step that ends just
                    // past its grace period, or a worker that reports every start at once): wait a moment for
                    // it, so both go in one transaction instead of the result queueing behind a commit of its own.
                    c.poll(Duration.ofMillis(startedWaitMs)).forEach(records::add);
                }
                handle(records);
                catchUp.recorded(c);
                offsets(records).forEach((tp, offset) -> uncommitted.merge(tp, offset, (a, b) -> a.offset() >= b.offset() ? a : b));
                if (System.nanoTime() - lastCommit >= TimeUnit.MILLISECONDS.toNanos(commitIntervalMs)) {
                    commit(c);
                    lastCommit = System.nanoTime();
                }
            }
        } catch (WakeupException stopping) {
            // shutdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            died = e;
            LOG.errorf(e, "the results consumer stopped: results are no longer recorded");
        } finally {
            try {
                // only what was recorded: a batch that failed is not committed, it comes again after a restart
                if (!uncommitted.isEmpty()) {
                    c.commitSync(uncommitted, Duration.ofSeconds(5));
                }
            } catch (RuntimeException e) {
                LOG.debugf("final offset commit failed: %s", e);
            }
            c.close(Duration.ofSeconds(5));
        }
    }

    /** Records behind the end of the partitions, as the consumer last learnt from a fetch (no request to the broker). */
    private static long lagOf(KafkaConsumer<String, byte[]> c) {
        long behind = 0;
        for (TopicPartition tp : c.assignment()) {
            behind += c.currentLag(tp).orElse(0);
        }
        return behind;
    }

    /** Results waiting on release.results for this consumer after its last poll: a metric. */
    public long lag() {
        return lag;
    }

    /** Commits the recorded offsets, if any, without waiting for the broker's answer. */
    private void commit(KafkaConsumer<String, byte[]> c) {
        if (uncommitted.isEmpty()) {
            return;
        }
        c.commitAsync(new HashMap<>(uncommitted), (offsets, error) -> {
            if (error != null) {
                LOG.debugf("committing result offsets failed (%s); the results may come again and are dropped by id", error);
            }
        });
        uncommitted.clear();
    }

    /** For tests: the wait after a poll of StepStarted results only. */
    void startedWaitMs(long ms) {
        startedWaitMs = ms;
    }

    long startedWaitMs() {
        return startedWaitMs;
    }

    static boolean onlyStarts(List<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            Header type = r.headers().lastHeader(CloudEventCodec.H_TYPE);
            if (type == null || !STEP_STARTED.equals(new String(type.value(), StandardCharsets.UTF_8))) {
                return false;
            }
        }
        return true;
    }

    private void handle(List<ConsumerRecord<String, byte[]>> records) throws InterruptedException {
        List<Envelope> results = new ArrayList<>(records.size());
        List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            Envelope result;
            try {
                result = BusConsumers.stepResult(record);
            } catch (RuntimeException e) {
                bus.deadLetter(record, "not a step result: " + e.getMessage());
                continue;
            }
            String refusal = ResultChecks.refusal(result);
            if (refusal != null) {
                try (ResultLogContext context = ResultLogContext.of(result)) {
                    bus.deadLetter(record, "cannot be recorded: " + refusal);
                }
            } else {
                results.add(result);
                sources.add(record);
            }
        }
        if (!results.isEmpty()) {
            record(results, sources);
        }
    }

    /**
     * Records results; what the database refuses of a batch is found by recording it one result at a
     * time, and parked alone. A fault of the coordinator itself (not the database) parks the result too,
     * rather than stopping every release.
     */
    private void record(List<Envelope> results, List<ConsumerRecord<String, byte[]>> sources) throws InterruptedException {
        List<Releases.Outcome> outcomes;
        try {
            outcomes = recordWhileTheLogIsDown(results);
        } catch (RuntimeException e) {
            if (!running) {
                throw new WakeupException(); // stopping while the log is down: not committed, the results come again
            }
            if (results.size() > 1) {
                LOG.warnf("recording %d results failed (%s); recording them one by one", results.size(), e.getMessage());
                for (int i = 0; i < results.size(); i++) {
                    record(List.of(results.get(i)), List.of(sources.get(i)));
                }
                return;
            }
            try (ResultLogContext context = ResultLogContext.of(results.get(0))) {
                if (!ResultChecks.fromTheDatabase(e)) {
                    LOG.errorf(e, "recording result %s failed", results.get(0).id());
                }
                bus.deadLetter(sources.get(0), (ResultChecks.fromTheDatabase(e) ? "the release log refused it: " : "recording failed: ") + e.getMessage());
            }
            return;
        }
        for (int i = 0; i < outcomes.size(); i++) {
            Releases.Outcome outcome = outcomes.get(i);
            if (!outcome.accepted()) {
                Envelope e = results.get(i);
                try (ResultLogContext context = ResultLogContext.of(e)) {
                    bus.deadLetter(sources.get(i), "refused by release " + ResultChecks.printable(e.releaseId()) + ": "
                            + outcome.rejection().message());
                }
            }
        }
    }

    private List<Releases.Outcome> recordWhileTheLogIsDown(List<Envelope> results) throws InterruptedException {
        long backoffMs = 100;
        while (true) {
            try {
                return releases.recordAll(results);
            } catch (RuntimeException e) {
                if (!ResultChecks.fromTheDatabase(e) || ResultChecks.refusedTheRow(e) || !running) {
                    throw e;
                }
                LOG.warnf("the release log cannot be reached (%s); %d results wait, trying again in %d ms",
                        e.getMessage(), results.size(), backoffMs);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        Thread t = thread;
        if (c != null && t != null) {
            c.wakeup();
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Timers wait until the results that were waiting at the start are recorded (or the wait is over); never while stopped. */
    @Override
    public boolean caughtUp() {
        CatchUp c = catchUp;
        return !enabled || (running && c != null && c.caughtUp());
    }

    /** The consumer thread runs (or results are consumed elsewhere). */
    boolean alive() {
        Thread t = thread;
        return !enabled || (t != null && t.isAlive() && died == null);
    }

    /** How long ago a poll last returned, in milliseconds. */
    long sinceLastPollMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPoll);
    }

    /** Polling: running, and back at its poll within {@code stalledAfter} (or results are consumed elsewhere). */
    boolean polling() {
        return !enabled || (running && alive() && sinceLastPollMs() < stalledAfter.toMillis());
    }

    String groupId() {
        return groupId;
    }

    /** Liveness: the consumer thread runs (down if it died on an unexpected error). Asks through methods: the bean is a proxy. */
    @ApplicationScoped
    @Liveness
    public static class Health implements HealthCheck {
        @Inject
        ResultsConsumer consumer;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("results-consumer").status(consumer.alive())
                    .withData("topic", Topics.RESULTS).withData("group", consumer.groupId()).build();
        }
    }

    /** Readiness: the consumer comes back to poll (not stuck on a batch, not waiting for the release log for long). */
    @ApplicationScoped
    @Readiness
    public static class Polling implements HealthCheck {
        @Inject
        ResultsConsumer consumer;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("results-polling").status(consumer.polling())
                    .withData("lastPollMsAgo", consumer.sinceLastPollMs())
                    .withData("caughtUp", consumer.caughtUp()).build();
        }
    }
}
