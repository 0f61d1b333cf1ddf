package dev.releasetrain.worker;

import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * One command being run: which release, step, attempt and command, its parameters, and a way to report
 * progress of a long wait (each report extends the attempt's deadline in the coordinator) or to wait with it
 * ({@link #await}).
 */
public final class StepContext {
    private final String releaseId;
    private final String step;
    private final String action;
    private final int attempt;
    private final String commandId;
    private final Map<String, String> params;
    private final BiConsumer<String, Map<String, Object>> progress;
    private final Polling polling;

    public StepContext(String releaseId, String step, int attempt, String commandId, Map<String, String> params,
                       BiConsumer<String, Map<String, Object>> progress) {
        this(releaseId, step, step, attempt, commandId, params, progress);
    }

    /** {@code action}: the handler run for {@code step} (the step itself unless the runbook node reuses another's). */
    public StepContext(String releaseId, String step, String action, int attempt, String commandId, Map<String, String> params,
                       BiConsumer<String, Map<String, Object>> progress) {
        this(releaseId, step, action, attempt, commandId, params, progress, Polling.SYSTEM);
    }

    private StepContext(String releaseId, String step, String action, int attempt, String commandId, Map<String, String> params,
                        BiConsumer<String, Map<String, Object>> progress, Polling polling) {
        this.releaseId = releaseId;
        this.step = step;
        this.action = action == null ? step : action;
        this.attempt = attempt;
        this.commandId = commandId;
        this.params = params == null ? Map.of() : Map.copyOf(params);
        this.progress = progress;
        this.polling = polling;
    }

    /** This command waiting on {@code ticker}'s clock and sleep (a test's, to run long waits at once). */
    public StepContext withTicker(Polling.Ticker ticker) {
        return new StepContext(releaseId, step, action, attempt, commandId, params, progress, new Polling(ticker));
    }

    /** The release id, which is the version being released (e.g. {@code 1.29.0}). */
    public String releaseId() {
        return releaseId;
    }

    /**
     * The runbook node being run, e.g. {@code git.cherry-pick-late-fixes}: results, effects' identities
     * (message metadata, idempotency keys) and reasons name it.
     */
    public String step() {
        return step;
    }

    /** The handler this command runs, e.g. {@code git.cherry-pick-fixes} for a node that reuses it; else {@link #step()}. */
    public String action() {
        return action;
    }

    public int attempt() {
        return attempt;
    }

    public String commandId() {
        return commandId;
    }

    public Map<String, String> params() {
        return params;
    }

    /** A required parameter; a missing or blank one fails the step (not retryable: the command is wrong). */
    public String param(String name) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            throw new StepFailure("step " + step + " of release " + releaseId + " (attempt " + attempt
                    + ") needs parameter '" + name + "', the command has " + new TreeSet<>(params.keySet()), false);
        }
        return value;
    }

    /** Publishes a StepProgress; returns once Kafka has it. */
    public void progress(String message, Map<String, Object> details) {
        progress.accept(message, details == null ? Map.of() : details);
    }

    /**
     * Looks with {@code poll} until it is done and returns its result, reporting progress as this command's
     * StepProgress when what it waits for changes and at least every {@code schedule.progressEvery()}.
     *
     * @throws Polling.TimedOut once {@code schedule.maxWait()} has passed: the step says what that means (its failure)
     */
    public <T> T await(Polling.Schedule schedule, Polling.Poll<T> poll) throws InterruptedException, Polling.TimedOut {
        return polling.await(schedule, poll, this::progress);
    }

    @Override
    public String toString() {
        return "release " + releaseId + " step " + step + " attempt " + attempt + " command " + commandId;
    }
}
