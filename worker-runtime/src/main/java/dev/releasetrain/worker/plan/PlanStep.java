package dev.releasetrain.worker.plan;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.worker.StepContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a {@code POST /plan} request: the runbook node's id, the handler it runs, and its params rendered
 * as its command would carry them. An output of an earlier step the coordinator did not know when it rendered
 * them is shown as {@code <step.output>}.
 */
public record PlanStep(String step, String handler, Map<String, String> params) {

    /** The body of {@code POST /plan}: the service's steps in the runbook's order. */
    public record Request(List<PlanStep> steps) {
    }

    /**
     * The context the step's own code is given to work out what it would do: the params with each
     * {@code <step.output>} of a step planned before it in the same request ({@code planned}: outputs by step)
     * replaced by that planned value, as the coordinator would have rendered it. Progress goes nowhere.
     */
    public StepContext context(Map<String, Map<String, Object>> planned) {
        Map<String, String> resolved = new LinkedHashMap<>();
        (params == null ? Map.<String, String>of() : params).forEach((name, value) -> resolved.put(name, fill(value, planned)));
        return new StepContext(resolved.getOrDefault("version", ""), step, handler, 0, "plan", resolved, (m, d) -> {
        });
    }

    static String fill(String value, Map<String, Map<String, Object>> planned) {
        if (value == null || value.indexOf('<') < 0) {
            return value;
        }
        String out = value;
        for (Map.Entry<String, Map<String, Object>> step : planned.entrySet()) {
            for (Map.Entry<String, Object> output : step.getValue().entrySet()) {
                String placeholder = "<" + step.getKey() + "." + output.getKey() + ">";
                if (out.contains(placeholder) && output.getValue() != null) {
                    out = out.replace(placeholder, text(output.getValue()));
                }
            }
        }
        return out;
    }

    /** As the coordinator renders an output into a param: text as is, numbers and booleans printed, the rest JSON. */
    private static String text(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        try {
            return CloudEventCodec.json().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
