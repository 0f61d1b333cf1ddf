package dev.releasetrain.coordinator.relay;

import dev.releasetrain.protocol.Envelope;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Publishes every event appended to the release log to Kafka (transactional outbox by change data
 * capture): a Debezium embedded engine reads the inserts of {@code public.release_events} from the
 * WAL (pgoutput) and the relay produces each as a CloudEvent to {@code release.events}, and a
 * {@code StepRequested} also to its service's command topic, keyed by release id.
 *
 * <p>The relay puts its parts together: {@link RelayLeadership} (only one relay per slot is active:
 * it holds a PostgreSQL advisory lock; the others stay in {@link Status#STANDBY}), a
 * {@link RelayEngine} per term of the lock with its {@link DebeziumProperties}, the
 * {@link WalPublisher} (the guarantee) and the {@link FastPathPublisher} (the latency), both sending
 * through one {@link AcknowledgedSender} and agreeing through {@link FastPath}.
 *
 * <p>At least once: a batch's positions are stored only after Kafka acknowledged all its records
 * ({@code acks=all}, idempotent producer); after a crash or takeover the records since the last
 * stored position are published again, and consumers drop duplicates by {@code ce_id}.
 */
public final class Relay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Relay.class);
    /** How long the relay's parts wait before trying again: the lock, a failed batch, an unreadable log. */
    static final long RETRY_MS = 1000;

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
    private final ClosingSignal closing = new ClosingSignal();
    private final FastPath fastPath = new FastPath();
    private final LogRows logRows;
    private final AcknowledgedSender sender;
    private final WalPublisher walPublisher;
    private final FastPathPublisher fastPathPublisher;
    private final RelayLeadership leadership;
    private final Thread supervisor;

    private Relay(RelayConfig config, Executor engineExecutor) {
        this.config = config;
        this.ownEngineExecutor = engineExecutor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "release-train-relay-engine");
            t.setDaemon(true);
            t.setContextClassLoader(Relay.class.getClassLoader());
            return t;
        }) : null;
        this.engineExecutor = engineExecutor == null ? ownEngineExecutor : engineExecutor;
        this.logRows = new LogRows(config);
        this.sender = new AcknowledgedSender(config, closing);
        this.walPublisher = new WalPublisher(fastPath, logRows, sender, closing, config.slotName());
        this.fastPathPublisher = new FastPathPublisher(fastPath, sender);
        this.leadership = new RelayLeadership(config, this::term, closing);
        this.supervisor = new Thread(leadership::run, "release-train-relay-" + config.slotName());
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
        return leadership.status();
    }

    /** True while this relay holds the lock and publishes. */
    public boolean isActive() {
        return status() == Status.ACTIVE;
    }

    /** Turns the fast path on or off (on by default); off, every event waits for the WAL. */
    public void fastPath(boolean enabled) {
        fastPathPublisher.enabled(enabled);
    }

    /** Fast sends the relay has not read back from the WAL yet (for tests and metrics). */
    public int fastSendsInFlight() {
        return fastPath.inFlight();
    }

    public RelayConfig config() {
        return config;
    }

    /**
     * The fast path ({@link FastPathPublisher}): publishes events this coordinator has just committed
     * to the log, right after the commit, instead of waiting for the change to come back through the
     * WAL. Only when every earlier event of the release is known to be handed to Kafka by this instance
     * already; otherwise the active relay publishes the events when it reads them.
     *
     * <p>A standby relay (another coordinator instance holds the lock) publishes its instance's appends
     * too: without it, every step its instance decides would wait for the active relay's next read of
     * the WAL (hundreds of ms instead of a few). The active relay publishes them again from the WAL (it
     * cannot know of this send), and every consumer drops the second copy by its event id; each copy
     * keeps the release's order, since each instance fast-sends a release's events only while it has
     * sent every earlier one itself.
     *
     * @return true if the events were handed to the producer here
     */
    public boolean publishCommitted(String releaseId, List<Envelope> appended) {
        Status status = status();
        return (status == Status.ACTIVE || status == Status.STANDBY)
                && fastPathPublisher.publish(releaseId, appended, status == Status.ACTIVE);
    }

    /**
     * One term of the lock: the fast path starts from nothing known, the publication is put in place,
     * and an engine streams the WAL into the WAL publisher until the relay steps down.
     */
    private RelayLeadership.Term term(Connection lock, Runnable active) throws SQLException {
        fastPath.reset();
        boolean ownPublication = LogRows.ensurePublication(lock, config.publicationName());
        RelayEngine engine = new RelayEngine(DebeziumProperties.of(config, ownPublication), active, walPublisher,
                closing, config.slotName());
        return new RelayLeadership.Term() {
            @Override
            public CompletableFuture<Void> start() {
                return engine.start(engineExecutor);
            }

            @Override
            public void end() {
                fastPath.reset();
                engine.stop();
                logRows.close();
            }
        };
    }

    /** Stops the engine (positions of acknowledged batches are stored), flushes the producer, releases the lock. */
    @Override
    public void close() {
        if (closing.isClosing()) {
            return;
        }
        closing.close();
        try {
            supervisor.join(RelayEngine.STOP_TIMEOUT.toMillis() + 10_000);
            if (supervisor.isAlive()) {
                LOG.warnf("relay on slot %s: did not stop in time", config.slotName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            leadership.closed();
            sender.close();
            if (ownEngineExecutor != null) {
                ownEngineExecutor.shutdownNow();
            }
        }
    }
}
