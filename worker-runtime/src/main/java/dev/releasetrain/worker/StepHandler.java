package dev.releasetrain.worker;

/**
 * The work of one step of the runbook. Each service declares one {@code @ApplicationScoped} handler per
 * step id it owns; the runtime finds them as CDI beans and dispatches commands to them by {@link #stepId()}.
 *
 * <p>Kafka delivers at least once and the dedupe of the runtime is in memory only, so {@link #run} must be
 * idempotent: running the same command twice, or a new attempt after a partial success, has one effect.
 */
public interface StepHandler {

    /** The step id of the runbook, e.g. {@code git.resolve-head}. */
    String stepId();

    /**
     * Does the work. A thrown exception becomes a retryable {@code StepFailed}; throw {@link StepFailure}
     * (or return {@link StepOutcome#failed}) to say whether another attempt can help.
     */
    StepOutcome run(StepContext ctx) throws Exception;
}
