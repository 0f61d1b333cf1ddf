package dev.releasetrain.coordinator.runbook;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One step of a runbook: who runs it, what it waits for, its parameter templates, its deadline and retries.
 * The step's id names the node (its row in the timeline, its outputs); {@code uses} names the handler the
 * service runs when the node reuses another step's (e.g. {@code git.cherry-pick-late-fixes} uses
 * {@code git.cherry-pick-fixes}), null when the handler is the node's own. The service is the prefix of
 * {@code uses}, else of the id; a gate is run by the coordinator and people. {@code editable} names the
 * parameters a person may change when retrying the step (none unless declared). {@code binds} (gates only) names
 * the artifacts an approval is bound to, each with the step outputs that give its value ({@code <step id>.<output>},
 * in the order the plan runs them: the last one that succeeded gives the current value).
 */
public record StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params,
                             Duration timeout, RetryPolicy retry, Gate gate, String phase, String uses,
                             Set<String> editable, Map<String, List<String>> binds) {
    public static final String GATE_SERVICE = "coordinator";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public StepDefinition {
        dependsOn = List.copyOf(dependsOn);
        params = Map.copyOf(params);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
        editable = editable == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(editable));
        Map<String, List<String>> b = new LinkedHashMap<>();
        if (binds != null) {
            binds.forEach((name, sources) -> b.put(name, List.copyOf(sources)));
        }
        binds = Collections.unmodifiableMap(b);
    }

    /** A step that binds nothing. */
    public StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params,
                          Duration timeout, RetryPolicy retry, Gate gate, String phase, String uses,
                          Set<String> editable) {
        this(id, service, dependsOn, params, timeout, retry, gate, phase, uses, editable, null);
    }

    /** A step none of whose parameters a retry may edit. */
    public StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params,
                          Duration timeout, RetryPolicy retry, Gate gate, String phase, String uses) {
        this(id, service, dependsOn, params, timeout, retry, gate, phase, uses, null, null);
    }

    /** A step that runs its own handler. */
    public StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params,
                          Duration timeout, RetryPolicy retry, Gate gate, String phase) {
        this(id, service, dependsOn, params, timeout, retry, gate, phase, null, null, null);
    }

    /** A plain step with default timeout and retries (tests, the proving runbook). */
    public StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params) {
        this(id, service, dependsOn, params, null, null, null, null, null, null, null);
    }

    public boolean isGate() {
        return gate != null;
    }

    /** The handler the service runs: {@code uses} when given, else the step's own id. */
    public String handler() {
        return uses == null ? id : uses;
    }
}
