package dev.releasetrain.coordinator.runbook;

import java.util.List;
import java.util.Map;

/** One step of a runbook: who runs it, what it waits for, and its fixed parameters. */
public record StepDefinition(String id, String service, List<String> dependsOn, Map<String, String> params) {
    public StepDefinition {
        dependsOn = List.copyOf(dependsOn);
        params = Map.copyOf(params);
    }
}
