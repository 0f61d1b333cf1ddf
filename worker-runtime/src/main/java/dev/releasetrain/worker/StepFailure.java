package dev.releasetrain.worker;

/**
 * Thrown by a handler (or by {@link StepContext#param}) to fail the step with a reason and an explicit
 * {@code retryable}; unlike any other exception, which fails it as retryable.
 */
public class StepFailure extends RuntimeException {
    private final boolean retryable;

    public StepFailure(String reason, boolean retryable) {
        super(reason);
        this.retryable = retryable;
    }

    public StepFailure(String reason, boolean retryable, Throwable cause) {
        super(reason, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public StepOutcome.Failed outcome() {
        return new StepOutcome.Failed(getMessage(), retryable);
    }
}
