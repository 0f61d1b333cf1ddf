package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.relay.RelayConfig.OffsetStorage;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publishes every event appended to the release log to Kafka (transactional outbox by change data
 * capture): a Debezium embedded engine reads the inserts of {@code public.release_events} from the
 * WAL (pgoutput) and the relay produces each as a CloudEvent to {@code release.events}, and a
 * {@code StepRequested} also to its service's command topic, keyed by release id.
 *
 * <p>Only one relay per slot is active: it holds a PostgreSQL session-level advisory lock on a
 * dedicated connection; the others stay in {@link Status#STANDBY} and try again every second.
 *
 * <p>At least once: a batch's positions are stored only after Kafka acknowledged all its records
 * ({@code acks=all}, idempotent producer); after a crash or takeover the records since the last
 * stored position are published again, and consumers drop duplicates by {@code ce_id}.
 */
public final class Relay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Relay.class);
    private static final long RETRY_MS = 1000;
    private static final long LOCK_CHECK_MS = 5000;
    private static final Duration ENGINE_STOP_TIMEOUT = Duration.ofSeconds(60);

    public enum Status {
        /** Started, not yet holding the lock. */
        STARTING,
        /** Another relay holds the lock; this one tries again every second. */
        STANDBY,
        /** Holds the lock and runs the engine. */
        ACTIVE,
        /** Closed. */
        CLOSED
    }

    private final RelayConfig config;
    private final Executor engineExecutor;
    private final ExecutorService ownEngineExecutor;
    private final KafkaProducer<String, byte[]> producer;
    private final long lockKey;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread supervisor;
    private volatile Status status = Status.STARTING;
    private final FastPath fastPath = new FastPath();
    private final LogRows logRows;
    /** Whether the relay made its publication (PostgreSQL 15+, a column list) or leaves it to Debezium. */
    private volatile boolean ownPublication;
    private volatile boolean fastPathEnabled = true;

    private Relay(RelayConfig config, Executor engineExecutor) {
        this.config = config;
        this.ownEngineExecutor = engineExecutor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "release-train-relay-engine");
            t.setDaemon(true);
            t.setContextClassLoader(Relay.class.getClassLoader());
            return t;
        }) : null;
        this.engineExecutor = engineExecutor == null ? ownEngineExecutor : engineExecutor;
        this.lockKey = lockKey(config.slotName());
        this.logRows = new LogRows(config);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "release-train-relay-" + config.slotName(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new ByteArraySerializer());
        this.supervisor = new Thread(this::supervise, "release-train-relay-" + config.slotName());
        this.supervisor.setDaemon(true);
        // Debezium and the Kafka clients load plugins through the context class loader, and the threads
        // they start inherit it: pin it to the relay's own, whatever the caller's thread carries.
        this.supervisor.setContextClassLoader(Relay.class.getClassLoader());
    }

    /** Starts a relay running its engine on a thread of its own. */
    public static Relay start(RelayConfig config) {
        return start(config, null);
    }

    /**
     * Starts a relay; the engine, while active, occupies one thread of {@code engineExecutor}
     * (e.g. a managed executor). The lock and supervision use one daemon thread of the relay's own.
     */
    public static Relay start(RelayConfig config, Executor engineExecutor) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Relay.class.getClassLoader());
        Relay relay;
        try {
            relay = new Relay(config, engineExecutor);
        } finally {
            thread.setContextClassLoader(previous);
        }
        relay.supervisor.start();
        LOG.debugf("relay started: %s", config);
        return relay;
    }

    public Status status() {
        return status;
    }

    /** True while this relay holds the lock and publishes. */
    public boolean isActive() {
        return status == Status.ACTIVE;
    }

    /** Turns the fast path on or off (on by default); off, every event waits for the WAL. */
    public void fastPath(boolean enabled) {
        this.fastPathEnabled = enabled;
    }

    /** Fast sends the relay has not read back from the WAL yet (for tests and metrics). */
    public int fastSendsInFlight() {
        return fastPath.inFlight();
    }

    public RelayConfig config() {
        return config;
    }

    /** Derived from the slot name: relays sharing a slot exclude each other, others do not. */
    static long lockKey(String slotName) {
        long h = 1125899906842597L;
        for (char c : ("release-train-relay:" + slotName).toCharArray()) {
            h = 31 * h + c;
        }
        return h;
    }

    private void supervise() {
        while (!isClosing()) {
            try (Connection lock = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword())) {
                if (awaitLock(lock)) {
                    try {
                        runEngineWhileHolding(lock);
                    } finally {
                        release(lock);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("relay on slot %s: %s; trying again in %d ms", config.slotName(), e, RETRY_MS);
            }
            if (status == Status.ACTIVE) {
                status = Status.STARTING;
            }
            pause(RETRY_MS);
        }
        status = Status.CLOSED;
    }

    /** True once the lock is held; false when closing first. */
    private boolean awaitLock(Connection lock) throws SQLException {
        try (PreparedStatement tryLock = lock.prepareStatement("select pg_try_advisory_lock(?)")) {
            tryLock.setLong(1, lockKey);
            while (!isClosing()) {
                try (ResultSet rs = tryLock.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (status != Status.STANDBY) {
                    LOG.infof("relay on slot %s: another relay is active; standing by", config.slotName());
                    status = Status.STANDBY;
                }
                pause(RETRY_MS);
            }
        }
        return false;
    }

    private void runEngineWhileHolding(Connection lock) throws SQLException {
        status = Status.STARTING;
        fastPath.reset();
        ownPublication = LogRows.ensurePublication(lock, config.publicationName());
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        AtomicBoolean stepDown = new AtomicBoolean();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> started = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(engineProperties())
                .using((success, message, error) -> {
                    if (success) {
                        stopped.complete(null);
                    } else {
                        stopped.completeExceptionally(error != null ? error : new IllegalStateException(message));
                    }
                })
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        synchronized (stepDown) {
                            if (!stepDown.get()) {
                                status = Status.ACTIVE;
                                LOG.infof("relay on slot %s: active", config.slotName());
                            }
                        }
                    }
                })
                .notifying(this::publishBatch)
                .build();
        try {
            engineExecutor.execute(started);
            while (!isClosing() && !stopped.isDone()) {
                // wakes at once when the engine stops or the relay closes; checks the lock's session
                // every few seconds (a round trip to the database: kept rare for the idle cost)
                try {
                    CompletableFuture.anyOf(stopped, closed).get(LOCK_CHECK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // time for the check, or the engine failed (seen below)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (isClosing() || stopped.isDone()) {
                    break;
                }
                if (!lock.isValid(5)) {
                    LOG.warnf("relay on slot %s: lost the connection holding the lock; stopping", config.slotName());
                    break;
                }
            }
        } finally {
            synchronized (stepDown) {
                stepDown.set(true);
                status = isClosing() ? Status.CLOSED : Status.STARTING;
            }
            fastPath.reset();
            stopEngine(started, stopped);
            logRows.close();
        }
    }

    private void stopEngine(DebeziumEngine<?> started, CompletableFuture<Void> stopped) {
        long deadline = System.nanoTime() + ENGINE_STOP_TIMEOUT.toNanos();
        while (!stopped.isDone()) {
            try {
                started.close();
                break;
            } catch (IllegalStateException e) {
                // The engine refuses to stop while its task is starting (it would leak connections):
                // ask again until it accepts. Other refusals mean it is already stopping or stopped.
                if (!String.valueOf(e.getMessage()).contains("starting") || System.nanoTime() > deadline) {
                    break;
                }
                waitQuietly(stopped, 100);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("relay on slot %s: error stopping the engine: %s", config.slotName(), e);
                break;
            }
        }
        try {
            stopped.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (!isClosing()) {
                LOG.warnf("relay on slot %s: the engine stopped: %s", config.slotName(), e.getCause());
            }
        } catch (TimeoutException e) {
            LOG.errorf("relay on slot %s: the engine did not stop within %s; releasing the lock anyway",
                    config.slotName(), ENGINE_STOP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitQuietly(CompletableFuture<?> future, long millis) {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // only pausing
        }
    }

    private void release(Connection lock) {
        try (PreparedStatement unlock = lock.prepareStatement("select pg_advisory_unlock(?)")) {
            unlock.setLong(1, lockKey);
            unlock.execute();
        } catch (SQLException e) {
            // the lock goes with the session, which closes right after
            LOG.debugf("relay on slot %s: unlock failed (%s); closing the session releases it", config.slotName(), e);
        }
    }

    /**
     * Publishes one batch and waits until Kafka acknowledged all of it before marking it processed:
     * only then may its position be stored. Events the fast path already handed to Kafka are not
     * sent again once Kafka acknowledged them; one whose fast send failed is sent here. A failed
     * send is retried (the whole batch, in order) until it goes through or the relay closes.
     */
    private void publishBatch(List<RecordChangeEvent<SourceRecord>> changes,
                              DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(changes.size() * 2);
        List<Future<RecordMetadata>> sends = new ArrayList<>(changes.size() * 2);
        List<ReleaseLogRow.Key> keys = new ArrayList<>(changes.size());
        for (RecordChangeEvent<SourceRecord> change : changes) {
            keys.add(RelayRecords.insertedKey(change.record()));
        }
        Map<Long, ReleaseLogRow> rows = null; // read from the table at the first event this relay publishes itself
        for (ReleaseLogRow.Key key : keys) {
            if (key == null) {
                continue; // a heartbeat, an update or a delete: nothing to publish
            }
            if (!key.complete()) {
                List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, null);
                records.addAll(own);
                sends.addAll(sendAll(own));
                continue;
            }
            CompletableFuture<Void> fast;
            synchronized (fastPath.stripe(key.releaseId())) {
                fast = fastPath.handOver(key.releaseId(), key.seq(), key.eventId());
                if (fast == null) {
                    // sent under the release's lock: a fast send of the next event cannot overtake it
                    if (rows == null) {
                        rows = readRows(keys);
                    }
                    List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, rows.get(key.position()));
                    records.addAll(own);
                    sends.addAll(sendAll(own));
                    continue;
                }
            }
            // the fast path sent it: nothing to read or send unless that send failed
            if (!fastSendSucceeded(fast)) {
                LOG.debugf("relay: the fast send of %s failed; publishing it from the log", key);
                if (rows == null) {
                    rows = readRows(keys);
                }
                List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, rows.get(key.position()));
                synchronized (fastPath.stripe(key.releaseId())) {
                    fastPath.sentByRelay(key.releaseId(), key.seq());
                    sends.addAll(sendAll(own));
                }
                records.addAll(own);
            }
        }
        try {
            for (Future<RecordMetadata> send : sends) {
                awaitAcknowledged(send);
            }
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (isClosing() || cause instanceof org.apache.kafka.common.errors.InterruptException) {
                throw new InterruptedException("relay stopping before Kafka acknowledged the batch");
            }
            LOG.warnf("relay on slot %s: publishing %d records failed (%s); publishing the batch again",
                    config.slotName(), records.size(), cause);
            sendUntilAcknowledged(records);
        }
        for (RecordChangeEvent<SourceRecord> change : changes) {
            committer.markProcessed(change);
        }
        committer.markBatchFinished();
    }

    /** The rows of a batch's inserts, read from the table; while the database cannot be read, tried again every second. */
    private Map<Long, ReleaseLogRow> readRows(List<ReleaseLogRow.Key> keys) throws InterruptedException {
        List<Long> positions = new ArrayList<>(keys.size());
        for (ReleaseLogRow.Key key : keys) {
            if (key != null && key.position() != null) {
                positions.add(key.position());
            }
        }
        while (true) {
            try {
                return logRows.read(positions);
            } catch (SQLException e) {
                LOG.warnf("relay on slot %s: cannot read %d rows of the release log (%s); trying again in %d ms",
                        config.slotName(), positions.size(), e.getMessage(), RETRY_MS);
                if (closing.await(RETRY_MS, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("relay closing; the batch will be published again on restart");
                }
            }
        }
    }

    private List<Future<RecordMetadata>> sendAll(List<ProducerRecord<String, byte[]>> records) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        for (ProducerRecord<String, byte[]> r : records) {
            sends.add(producer.send(r));
        }
        return sends;
    }

    private boolean fastSendSucceeded(CompletableFuture<Void> fast) throws InterruptedException {
        while (true) {
            try {
                fast.get(RETRY_MS, TimeUnit.MILLISECONDS);
                return true;
            } catch (ExecutionException e) {
                return false;
            } catch (TimeoutException e) {
                if (isClosing()) {
                    throw new InterruptedException("relay closing before Kafka acknowledged a fast send");
                }
            }
        }
    }

    /**
     * The fast path: publishes events this coordinator has just committed to the log, right after the
     * commit, instead of waiting for the change to come back through the WAL. Only while this relay is
     * active, and only when every earlier event of the release is known to be handed to Kafka already
     * (so one release keeps its order); otherwise the relay publishes the events when it reads them.
     * The relay stays the guarantee: it skips an event only once Kafka acknowledged its fast send.
     *
     * @return true if the events were handed to the producer here
     */
    public boolean publishCommitted(String releaseId, List<Envelope> appended) {
        if (status != Status.ACTIVE || appended.isEmpty() || !fastPathEnabled) {
            return false;
        }
        synchronized (fastPath.stripe(releaseId)) {
            if (!fastPath.claim(releaseId, appended.get(0).seq(), appended.get(appended.size() - 1).seq())) {
                return false;
            }
            // Commands first: a worker waits for them, and the producer's first request after a wake-up
            // carries what is in its buffer by then (each topic keeps its own order either way).
            List<Runnable> eventSends = new ArrayList<>(appended.size());
            for (Envelope e : appended) {
                if (e.data() instanceof ReleaseEvent.ReleaseCompleted || e.data() instanceof ReleaseEvent.ReleaseFailed
                        || e.data() instanceof ReleaseEvent.ReleaseCancelled) {
                    fastPath.forget(releaseId);
                }
                List<ProducerRecord<String, byte[]>> records = RelayRecords.publish(e);
                CompletableFuture<Void> acked = fastPath.sending(e.id());
                AtomicInteger pending = new AtomicInteger(records.size());
                Callback callback = (meta, error) -> {
                    if (error != null) {
                        fastPath.failed(releaseId);
                        acked.completeExceptionally(error);
                    } else if (pending.decrementAndGet() == 0) {
                        acked.complete(null);
                    }
                };
                for (ProducerRecord<String, byte[]> r : records) {
                    if (r.topic().equals(Topics.EVENTS)) {
                        eventSends.add(() -> fastSend(r, callback));
                    } else {
                        fastSend(r, callback);
                    }
                }
            }
            eventSends.forEach(Runnable::run);
        }
        return true;
    }

    private void fastSend(ProducerRecord<String, byte[]> record, Callback callback) {
        try {
            producer.send(record, callback);
        } catch (RuntimeException error) {
            callback.onCompletion(null, error);
        }
    }

    private void sendUntilAcknowledged(List<ProducerRecord<String, byte[]>> records) throws InterruptedException {
        while (true) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
            try {
                for (ProducerRecord<String, byte[]> r : records) {
                    sends.add(producer.send(r));
                }
                for (Future<RecordMetadata> send : sends) {
                    awaitAcknowledged(send);
                }
                return;
            } catch (ExecutionException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (isClosing() || cause instanceof org.apache.kafka.common.errors.InterruptException) {
                    // the engine stops this batch: it is not marked processed and will be published again
                    throw new InterruptedException("relay stopping before Kafka acknowledged the batch");
                }
                LOG.warnf("relay on slot %s: publishing %d records failed (%s); retrying in %d ms",
                        config.slotName(), records.size(), cause, RETRY_MS);
                if (closing.await(RETRY_MS, TimeUnit.MILLISECONDS)) {
                    throw new InterruptedException("relay closing; the batch will be published again on restart");
                }
            }
        }
    }

    private void awaitAcknowledged(Future<RecordMetadata> send) throws InterruptedException, ExecutionException {
        while (true) {
            try {
                send.get(RETRY_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (isClosing()) {
                    throw new InterruptedException("relay closing before Kafka acknowledged; the batch will be published again");
                }
            }
        }
    }

    Properties engineProperties() {
        Properties p = new Properties();
        p.setProperty("name", "release-train-relay-" + config.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("database.hostname", config.dbHost());
        p.setProperty("database.port", Integer.toString(config.dbPort()));
        p.setProperty("database.user", config.dbUser());
        p.setProperty("database.password", config.dbPassword());
        p.setProperty("database.dbname", config.database());
        // The logical server name also names the engine's JMX beans: one per slot, so relays of different
        // slots can share a JVM (tests, the bench) without waiting on each other's metrics registration.
        p.setProperty("topic.prefix", "release_train_" + config.slotName().replaceAll("[^A-Za-z0-9_]", "_"));
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        // The stream carries each row's key only (LogRows): a publication with a column list, made by
        // the relay on PostgreSQL 15+; on older servers Debezium creates one for the whole row, and its
        // column filter keeps the change records as small.
        p.setProperty("publication.autocreate.mode", ownPublication ? "disabled" : "filtered");
        p.setProperty("table.include.list", LogRows.TABLE + "," + LogRows.HEARTBEAT);
        p.setProperty("column.include.list", String.join(",",
                java.util.Arrays.stream(ReleaseLogRow.Key.COLUMNS).map(c -> LogRows.TABLE + "." + c).toList())
                + "," + LogRows.HEARTBEAT + ".slot");
        // First start (no stored position): read the rows already in the table, in log order, then
        // stream; later starts resume from the stored position. no_data would miss rows appended
        // before the slot existed.
        p.setProperty("snapshot.mode", "initial");
        p.setProperty("snapshot.select.statement.overrides", "public.release_events");
        p.setProperty("snapshot.select.statement.overrides.public.release_events",
                "SELECT " + String.join(", ", ReleaseLogRow.Key.COLUMNS) + " FROM public.release_events ORDER BY position");
        p.setProperty("poll.interval.ms", Long.toString(config.pollIntervalMs()));
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushIntervalMs()));
        // Lets the slot's confirmed position move on while release_events is quiet but other
        // writes (e.g. the offsets table) produce WAL.
        p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatIntervalMs()));
        p.setProperty("heartbeat.action.query", LogRows.heartbeatQuery(config.slotName()));
        // A slot still held by the relay that just stepped down is released within a moment.
        p.setProperty("slot.retry.delay.ms", "500");
        p.setProperty("slot.max.retries", "120");
        if (config.offsetStorage() instanceof OffsetStorage.InDatabase db) {
            p.setProperty("offset.storage", "io.debezium.storage.jdbc.offset.JdbcOffsetBackingStore");
            p.setProperty("offset.storage.jdbc.connection.url", config.jdbcUrl());
            p.setProperty("offset.storage.jdbc.connection.user", config.dbUser());
            p.setProperty("offset.storage.jdbc.connection.password", config.dbPassword());
            p.setProperty("offset.storage.jdbc.table.name", db.table());
        } else if (config.offsetStorage() instanceof OffsetStorage.InFile file) {
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", file.file().toAbsolutePath().toString());
        }
        return p;
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void pause(long millis) {
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing.countDown();
            closed.complete(null);
        }
    }

    /** Stops the engine (positions of acknowledged batches are stored), flushes the producer, releases the lock. */
    @Override
    public void close() {
        if (isClosing()) {
            return;
        }
        closing.countDown();
        closed.complete(null);
        try {
            supervisor.join(ENGINE_STOP_TIMEOUT.toMillis() + 10_000);
            if (supervisor.isAlive()) {
                LOG.warnf("relay on slot %s: did not stop in time", config.slotName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            status = Status.CLOSED;
            producer.close(Duration.ofSeconds(30));
            if (ownEngineExecutor != null) {
                ownEngineExecutor.shutdownNow();
            }
        }
    }
}
