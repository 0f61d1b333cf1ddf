package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.relay.Relay.Status;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which relay of a slot publishes: the one holding a PostgreSQL session-level advisory lock on a
 * dedicated connection. The others stay in {@link Status#STANDBY} and try again every second; if the
 * holder's JVM or connection dies, PostgreSQL releases the lock and one of them takes over.
 *
 * <p>While holding the lock it runs one {@link Term} of the holder's work, and steps down when the
 * work stops, the relay closes, or the lock's connection is gone (checked every 5 s: a round trip
 * to the database, kept rare for the idle cost). Then it competes for the lock again.
 */
final class RelayLeadership {
    /** Logged under the relay's category: the relay's parts are one component to an operator. */
    private static final Logger LOG = Logger.getLogger(Relay.class);
    private static final long LOCK_CHECK_MS = 5000;

    /** What the holder of the lock runs. */
    interface Holder {
        /**
         * Prepares one term on the lock's connection; {@code active} is to be run once the work
         * publishes (it makes the relay {@link Status#ACTIVE} unless it stepped down meanwhile).
         */
        Term prepare(Connection lock, Runnable active) throws SQLException;
    }

    /** One term of the holder's work: started once, then ended once after the relay stepped down. */
    interface Term {
        /** Starts the work; the future completes when the work stops by itself. */
        CompletableFuture<Void> start();

        /** Stops the work and waits for it (whether it started or not). */
        void end();
    }

    private final RelayConfig config;
    private final Holder holder;
    private final ClosingSignal closing;
    private final long lockKey;
    private volatile Status status = Status.STARTING;

    RelayLeadership(RelayConfig config, Holder holder, ClosingSignal closing) {
        this.config = config;
        this.holder = holder;
        this.closing = closing;
        this.lockKey = lockKey(config.slotName());
    }

    Status status() {
        return status;
    }

    /** The relay closed (whether or not its lock loop ended in time). */
    void closed() {
        status = Status.CLOSED;
    }

    /** Derived from the slot name: relays sharing a slot exclude each other, others do not. */
    static long lockKey(String slotName) {
        return dev.releasetrain.coordinator.log.ClusterLock.key("release-train-relay:" + slotName);
    }

    /** Competes for the lock and serves while holding it, until the relay closes. */
    void run() {
        while (!closing.isClosing()) {
            try (Connection lock = DriverManager.getConnection(config.jdbcUrl(), config.dbUser(), config.dbPassword())) {
                if (awaitLock(lock)) {
                    try {
                        serve(lock);
                    } finally {
                        release(lock);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("relay on slot %s: %s; trying again in %d ms", config.slotName(), e, Relay.RETRY_MS);
            }
            if (status == Status.ACTIVE) {
                status = Status.STARTING;
            }
            closing.pause(Relay.RETRY_MS);
        }
        status = Status.CLOSED;
    }

    /** True once the lock is held; false when closing first. */
    private boolean awaitLock(Connection lock) throws SQLException {
        try (PreparedStatement tryLock = lock.prepareStatement("select pg_try_advisory_lock(?)")) {
            tryLock.setLong(1, lockKey);
            while (!closing.isClosing()) {
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
                closing.pause(Relay.RETRY_MS);
            }
        }
        return false;
    }

    private void serve(Connection lock) throws SQLException {
        status = Status.STARTING;
        AtomicBoolean stepDown = new AtomicBoolean();
        Term term = holder.prepare(lock, () -> {
            synchronized (stepDown) {
                if (!stepDown.get()) {
                    status = Status.ACTIVE;
                    LOG.infof("relay on slot %s: active", config.slotName());
                }
            }
        });
        try {
            CompletableFuture<Void> stopped = term.start();
            while (!closing.isClosing() && !stopped.isDone()) {
                // wakes at once when the work stops or the relay closes; checks the lock's session
                // every few seconds
                try {
                    CompletableFuture.anyOf(stopped, closing.closed()).get(LOCK_CHECK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // time for the check, or the work failed (seen below)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (closing.isClosing() || stopped.isDone()) {
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
                status = closing.isClosing() ? Status.CLOSED : Status.STARTING;
            }
            term.end();
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
}
