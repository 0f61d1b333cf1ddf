package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.release.ReleaseState.StepState;
import dev.releasetrain.coordinator.release.ReleaseState.StepStatus;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.protocol.ReleaseEvent.ApprovalVoided;
import dev.releasetrain.protocol.ReleaseEvent.ApprovalVoided.BindingChange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an approval is bound to. A gate's {@code binds:} names artifacts (the release branch commit, an image
 * digest, a chart) and the step outputs that give their value; the value now is the one of the last of those
 * outputs, in the plan's order, whose step succeeded. An approval records the values it was given on; when one
 * of them later differs, the approval is void. Pure, like the state machine it serves.
 */
final class ApprovalBindings {
    static final String BOUND = "bound";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    private ApprovalBindings() {
    }

    /** A binding's value now and the step output that gave it, or null when no source has given one yet. */
    record Value(String value, String source) {
    }

    static Value current(ReleaseState s, List<String> sources) {
        Value found = null;
        for (String source : sources) {
            String[] so = Runbook.bindingSource(source);
            StepState step = s.steps().get(so[0]);
            if (step != null && step.status() == StepStatus.SUCCEEDED && step.outputs() != null
                    && step.outputs().get(so[1]) != null) {
                found = new Value(String.valueOf(step.outputs().get(so[1])), source);
            }
        }
        return found;
    }

    /** The values an approval of {@code gate} given now is bound to (the artifacts known so far). */
    static Map<String, String> now(ReleaseState s, StepDefinition gate) {
        Map<String, String> out = new LinkedHashMap<>();
        gate.binds().forEach((name, sources) -> {
            Value v = current(s, sources);
            if (v != null) {
                out.put(name, v.value());
            }
        });
        return out;
    }

    /**
     * After {@code stepId} succeeded: an approved gate bound to an artifact that had no value when it was approved
     * (the release image, before the tag) is bound to its first value.
     */
    static ReleaseState firstValues(ReleaseState s, String stepId) {
        ReleaseState out = s;
        for (StepDefinition d : s.runbook().steps()) {
            StepState gate = out.steps().get(d.id());
            if (d.binds().isEmpty() || gate.status() != StepStatus.SUCCEEDED || gate.outputs() == null) {
                continue;
            }
            Map<String, String> bound = bound(gate);
            Map<String, String> more = new LinkedHashMap<>(bound);
            d.binds().forEach((name, sources) -> {
                boolean fromThisStep = sources.stream().anyMatch(src -> Runbook.bindingSource(src)[0].equals(stepId));
                Value v = fromThisStep && !bound.containsKey(name) ? current(s, sources) : null;
                if (v != null) {
                    more.put(name, v.value());
                }
            });
            if (!more.equals(bound)) {
                Map<String, Object> outputs = new LinkedHashMap<>(gate.outputs());
                outputs.put(BOUND, Map.copyOf(more));
                out = out.withStep(gate.withOutputs(outputs), out.lastSeq());
            }
        }
        return out;
    }

    /** Every approval that no longer holds, with what changed: one event per gate. */
    static List<ApprovalVoided> voided(ReleaseState s) {
        List<ApprovalVoided> out = new ArrayList<>();
        for (StepDefinition d : s.runbook().steps()) {
            StepState gate = s.steps().get(d.id());
            if (d.binds().isEmpty() || gate.status() != StepStatus.SUCCEEDED || gate.outputs() == null) {
                continue;
            }
            Map<String, String> bound = bound(gate);
            List<BindingChange> changes = new ArrayList<>();
            d.binds().forEach((name, sources) -> {
                Value v = current(s, sources);
                String approved = bound.get(name);
                if (approved != null && v != null && !approved.equals(v.value())) {
                    changes.add(new BindingChange(name, approved, v.value(), v.source()));
                }
            });
            if (!changes.isEmpty()) {
                String approver = String.valueOf(gate.outputs().get("approver"));
                out.add(new ApprovalVoided(d.id(), approver, reason(approver, changes), List.copyOf(changes)));
            }
        }
        return out;
    }

    static String reason(String approver, List<BindingChange> changes) {
        StringBuilder sb = new StringBuilder("the approval by ").append(approver).append(" no longer holds: ");
        for (int i = 0; i < changes.size(); i++) {
            BindingChange c = changes.get(i);
            sb.append(i == 0 ? "" : "; ").append(c.binding()).append(" changed from ").append(shortly(c.approved()))
                    .append(" to ").append(shortly(c.current())).append(" (").append(c.source()).append(')');
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> bound(StepState gate) {
        Object b = gate.outputs().get(BOUND);
        return b instanceof Map<?, ?> m ? (Map<String, String>) m : Map.of();
    }

    /** Commits as git abbreviates them; anything else as it is. */
    private static String shortly(String value) {
        return COMMIT.matcher(value).matches() ? value.substring(0, 12) : value;
    }
}
