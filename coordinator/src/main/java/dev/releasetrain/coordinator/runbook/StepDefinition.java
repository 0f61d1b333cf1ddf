package dev.releasetrain.coordinator.runbook;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One step of a runbook: who runs it (the service is the step id's prefix; a gate is run by the
 * coordinator and people), what it waits for, its parameter templates, its deadline and retries.
 */
public record StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params,
                             Duration timeout, RetryPolicy retry, Gate gate, String phase) {
    public static final String GATE_SERVICE = "coordinator";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public StepDefinition {
        dependsOn = List.copyOf(dependsOn);
        params = Map.copyOf(params);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
    }

    /** A plain step with default timeout and retries (tests, the proving runbook). */
    public StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params) {
        this(id, service, dependsOn, params, null, null, null, null);
    }

    public boolean isGate() {
        return gate != null;
    }
}
