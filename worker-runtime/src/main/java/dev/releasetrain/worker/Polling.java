package dev.releasetrain.worker;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Waiting for something outside a step (an image, a merge, a page, a rollout): look; until the look says done, give
 * up once {@code maxWait} has passed ({@link TimedOut}, which the step maps to its failure), report progress when
 * what it waits for changes and at least every {@code progressEvery} (each report extends the attempt's deadline in
 * the coordinator), sleep the interval (growing by the backoff up to its cap, never past the bound) and look again.
 * The clock and the sleep come from a {@link Ticker}, so a test can run a long wait at once.
 */
public final class Polling {

    /** The clock and the sleep of a wait. */
    public interface Ticker {
        long nanoTime();

        void sleep(Duration duration) throws InterruptedException;

        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration.toMillis());
            }
        };
    }

    /**
     * How long and how often.
     *
     * @param maxWait       the bound: no look starts after it
     * @param interval      the first pause between looks (at least 1 ms is slept)
     * @param progressEvery the longest time between two progress reports (zero: every look)
     * @param backoff       what each pause is multiplied by for the next (1: a steady interval)
     * @param maxInterval   the longest pause (not shorter than {@code interval})
     */
    public record Schedule(Duration maxWait, Duration interval, Duration progressEvery, double backoff, Duration maxInterval) {
        public Schedule {
            Objects.requireNonNull(maxWait, "maxWait");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(progressEvery, "progressEvery");
            maxInterval = maxInterval == null || maxInterval.compareTo(interval) < 0 ? interval : maxInterval;
            if (backoff < 1) {
                throw new IllegalArgumentException("a poll backoff must be at least 1, got " + backoff);
            }
        }

        /** A steady {@code interval}. */
        public static Schedule of(Duration maxWait, Duration interval, Duration progressEvery) {
            return new Schedule(maxWait, interval, progressEvery, 1, interval);
        }

        /** Each pause {@code factor} times the one before, up to {@code maxInterval}. */
        public Schedule withBackoff(double factor, Duration maxInterval) {
            return new Schedule(maxWait, interval, progressEvery, factor, maxInterval);
        }
    }

    /**
     * What one look found: done with its result, or still waiting: {@code state} is what it waits for (a change of it
     * is reported at once), {@code message} and {@code details} what a progress report says.
     */
    public record Look<T>(T result, String state, String message, Map<String, Object> details) {
        public static <T> Look<T> done(T result) {
            return new Look<>(result, null, null, Map.of());
        }

        public static <T> Look<T> waiting(String state, String message, Map<String, Object> details) {
            return new Look<>(null, Objects.requireNonNull(state, "state"), message, details == null ? Map.of() : details);
        }

        public boolean done() {
            return state == null;
        }
    }

    /** Looks once; {@code waited} is the time since the wait began. */
    @FunctionalInterface
    public interface Poll<T> {
        Look<T> look(Duration waited) throws InterruptedException;
    }

    /** Where progress goes (a step's StepProgress events). */
    @FunctionalInterface
    public interface Progress {
        void report(String message, Map<String, Object> details);
    }

    /** The wait reached its bound; {@link #last()} is the last look, {@link #waited()} how long it took. */
    public static final class TimedOut extends Exception {
        private final transient Look<?> last;
        private final Duration waited;

        TimedOut(Look<?> last, Duration waited) {
            super("still " + last.state() + " after " + waited, null, false, false);
            this.last = last;
            this.waited = waited;
        }

        public Look<?> last() {
            return last;
        }

        /** What the last look was waiting for. */
        public String state() {
            return last.state();
        }

        public Duration waited() {
            return waited;
        }
    }

    public static final Polling SYSTEM = new Polling(Ticker.SYSTEM);

    private final Ticker ticker;

    public Polling(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Looks until done and returns its result; throws {@link TimedOut} once {@code schedule.maxWait()} has passed. */
    public <T> T await(Schedule schedule, Poll<T> poll, Progress progress) throws InterruptedException, TimedOut {
        long start = ticker.nanoTime();
        Duration interval = schedule.interval();
        String reported = null;
        long reportedAt = start;
        while (true) {
            Look<T> look = poll.look(Duration.ofNanos(ticker.nanoTime() - start));
            if (look.done()) {
                return look.result();
            }
            long now = ticker.nanoTime();
            Duration waited = Duration.ofNanos(now - start);
            if (waited.compareTo(schedule.maxWait()) >= 0) {
                throw new TimedOut(look, waited);
            }
            if (reported == null || !reported.equals(look.state()) || now - reportedAt >= schedule.progressEvery().toNanos()) {
                progress.report(look.message(), look.details());
                reported = look.state();
                reportedAt = ticker.nanoTime();
            }
            Duration remaining = schedule.maxWait().minus(waited);
            ticker.sleep(Duration.ofMillis(Math.max(1, Math.min(interval.toMillis(), remaining.toMillis()))));
            interval = Duration.ofMillis(Math.min(schedule.maxInterval().toMillis(),
                    (long) (interval.toMillis() * schedule.backoff())));
        }
    }
}
