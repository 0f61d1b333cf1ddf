package dev.releasetrain.coordinator.api;

import dev.releasetrain.coordinator.runbook.StepDefinition;

import java.util.Map;

/**
 * A retry edits only the parameters its step declares editable ({@code editable: [..]} in the runbook): a
 * retry may fix what a person can know better than the plan (a label, a path, a tag), never rewire what the
 * plan derives (a commit, a branch, a version).
 */
final class EditableParams {
    private EditableParams() {
    }

    static void check(StepDefinition step, Map<String, String> params) {
        for (String key : params.keySet()) {
            if (!step.editable().contains(key)) {
                throw InputRules.bad("field 'params." + key + "': step '" + step.id() + "' does not let a retry edit '" + key + "'"
                        + (step.editable().isEmpty() ? " (it declares no editable parameters)"
                        : " (editable: " + String.join(", ", step.editable()) + ")"));
            }
        }
    }
}
