package dev.releasetrain.worker.plan;

import java.util.List;

/**
 * What a service's steps would do, worked out without doing it: the one bean each service provides behind the
 * shared {@code POST /plan} ({@link PlanResource}). Read-only by contract: a planner reads remotes, clusters and
 * APIs but writes to none of them, and a step it cannot plan is answered as not planned with the reason, never
 * thrown.
 */
public interface StepPlanner {

    /**
     * The plans of {@code steps}, one per step in their order, each the service's own record (its JSON is the
     * answer's {@code steps[i]}; every one has at least {@code step}, {@code handler}, {@code planned} and
     * {@code note}).
     */
    List<?> plan(List<PlanStep> steps);
}
