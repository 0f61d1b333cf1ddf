package dev.releasetrain.worker;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a step's {@code StepStarted} only once the step has run longer than a grace period
 * ({@code release-train.worker.started-after}, 250 ms): a step that finishes sooner reports its start
 * inside its result ({@code worker}, {@code startedAt}) and costs one record on the bus and one row in the
 * release log fewer (docs/architecture.md). With a grace of 0 every start is sent at once, before the
 * handler runs.
 *
 * <p>One daemon thread sends the starts that fall due, in the order the steps began (the grace is the
 * same for all, so that is the order they fall due); it looks at most every grace period while steps
 * come and parks after a quiet spell, so an idle service does not wake. A start is sent between one and
 * two grace periods after its step began. A step's start and its end are serialized ({@link Start}), so
 * a start, once sent, is always handed to the publisher before the result: the result follows it on the
 * release's partition.
 */
@Singleton
public class StartReports implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StartReports.class);
    public static final Duration DEFAULT_AFTER = Duration.ofMillis(250);
    /** Empty looks in a row before the thread parks until the next step (about ten seconds at 250 ms). */
    private static final int QUIET_LOOKS = 40;

    private final long afterNanos;
    private final ConcurrentLinkedQueue<Start> due = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean parked;
    private volatile boolean closed;

    @Inject
    public StartReports(@ConfigProperty(name = "release-train.worker.started-after", defaultValue = "250ms") Duration after) {
        if (after.isNegative()) {
            throw new IllegalArgumentException("release-train.worker.started-after must not be negative, got " + after);
        }
        this.afterNanos = after.toNanos();
    }

    /** Every start sent at once, before the handler runs. */
    public static StartReports immediate() {
        return new StartReports(Duration.ZERO);
    }

    /**
     * A step begins: {@code send} publishes its StepStarted, at once with no grace period, else once the
     * step has run longer than it, unless the step ended first ({@link Start#end}).
     */
    public Start begin(Runnable send) {
        Start start = new Start(System.nanoTime() + afterNanos, send);
        if (afterNanos == 0 || closed) {
            start.sendIfPending();
            return start;
        }
        due.add(start);
        Thread t = thread;
        if (t == null) {
            t = startThread();
        }
        if (parked) {
            LockSupport.unpark(t);
        }
        return start;
    }

    private synchronized Thread startThread() {
        if (thread == null) {
            Thread t = new Thread(this::run, "step-started-reports");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
        return thread;
    }

    private void run() {
        int quiet = 0;
        while (!closed) {
            Start head = due.peek();
            if (head == null) {
                if (++quiet < QUIET_LOOKS) {
                    // a step that begins meanwhile falls due at least a grace period from now: no need to be woken
                    LockSupport.parkNanos(this, afterNanos);
                } else {
                    parked = true;
                    if (due.isEmpty() && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    quiet = 0;
                }
                continue;
            }
            quiet = 0;
            if (head.ended()) {
                due.poll();
                continue;
            }
            long wait = head.dueAt - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            due.poll();
            try {
                head.sendIfPending();
            } catch (RuntimeException e) {
                LOG.warnf("a StepStarted could not be sent (%s); the step's result reports its start", e.getClass().getSimpleName());
            }
        }
    }

    /** Steps whose start is still to be decided (for tests). */
    int waiting() {
        return due.size();
    }

    @PreDestroy
    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One step's start: sent once, or never if the step ended within the grace period. */
    public static final class Start {
        private static final int PENDING = 0;
        private static final int SENT = 1;
        private static final int ENDED = 2;

        private final long dueAt;
        private final Runnable send;
        private int state = PENDING;

        Start(long dueAt, Runnable send) {
            this.dueAt = dueAt;
            this.send = send;
        }

        /** Sends the start now unless it was sent or the step ended (a progress report must follow its start). */
        public synchronized void sendIfPending() {
            if (state == PENDING) {
                state = SENT;
                send.run();
            }
        }

        /** The step ended (its result is about to be published): a start not sent yet never is. */
        public synchronized void end() {
            state = ENDED;
        }

        synchronized boolean ended() {
            return state == ENDED;
        }
    }
}
