package dev.releasetrain.coordinator.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a runbook definition (YAML) into a validated {@link Runbook}. Pure: the same text always
 * gives the same plan, so a release's recorded definition rebuilds its plan on any node.
 */
public final class RunbookParser {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Set<String> STEP_KEYS = Set.of("id", "uses", "needs", "params", "editable", "timeout", "retry", "gate", "phase", "binds");
    private static final Pattern EDITABLE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");
    private static final Set<String> TOP_KEYS = Set.of("name", "kind", "description", "defaults", "steps");

    private RunbookParser() {
    }

    public static Runbook parse(String source, String text) {
        String where = "runbook file '" + source + "'";
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new Runbook.InvalidRunbook(where, "-", "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new Runbook.InvalidRunbook(where, "-", "expected a mapping with 'name' and 'steps'");
        }
        unknownKeys(where, "-", root, TOP_KEYS);
        String name = text(root, "name", where, "-", true);
        where = "runbook '" + name + "' (" + source + ")";
        String kind = root.hasNonNull("kind") ? root.get("kind").asText() : Runbook.MINOR;
        if (!Runbook.KINDS.contains(kind)) {
            throw new Runbook.InvalidRunbook(where, "-", "kind must be one of " + String.join(", ", Runbook.KINDS) + ", got '" + kind + "'");
        }
        JsonNode defaults = root.path("defaults");
        Duration defaultTimeout = defaults.hasNonNull("timeout") ? duration(defaults.get("timeout"), where, "defaults") : null;
        RetryPolicy defaultRetry = defaults.has("retry") ? retry(defaults.get("retry"), RetryPolicy.DEFAULT, where, "defaults") : RetryPolicy.DEFAULT;

        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || !stepsNode.isArray() || stepsNode.isEmpty()) {
            throw new Runbook.InvalidRunbook(where, "-", "'steps' must be a non-empty list");
        }
        List<StepDefinition> steps = new ArrayList<>();
        for (JsonNode s : stepsNode) {
            String id = text(s, "id", where, "#" + (steps.size() + 1), true);
            unknownKeys(where, id, s, STEP_KEYS);
            List<String> needs = new ArrayList<>();
            s.path("needs").forEach(n -> needs.add(n.asText()));
            Map<String, String> params = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = s.path("params").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> p = it.next();
                if (!p.getValue().isValueNode()) {
                    throw new Runbook.InvalidRunbook(where, id, "param '" + p.getKey() + "' must be a string template");
                }
                params.put(p.getKey(), p.getValue().asText());
            }
            Duration timeout = s.hasNonNull("timeout") ? duration(s.get("timeout"), where, id) : defaultTimeout;
            RetryPolicy retry = s.has("retry") ? retry(s.get("retry"), defaultRetry, where, id) : defaultRetry;
            Gate gate = null;
            String service;
            String uses = s.has("uses") ? text(s, "uses", where, id, true).trim() : null;
            if (s.has("gate")) {
                JsonNode g = s.get("gate");
                gate = new Gate(g.path("approvers").asText(Gate.APPROVER), g.path("notTheStarter").asBoolean(false),
                        g.hasNonNull("opensAt") ? g.get("opensAt").asText() : null);
                service = StepDefinition.GATE_SERVICE;
            } else {
                service = Runbook.servicePrefix(uses != null ? uses : id);
            }
            steps.add(new StepDefinition(id, service, needs, params, timeout, retry, gate,
                    s.hasNonNull("phase") ? s.get("phase").asText() : null, uses, editable(s, gate != null, where, id),
                    binds(s, where, id)));
        }
        return new Runbook(name, kind, source, text, steps);
    }

    /** {@code editable: [name, ..]}: the parameters a retry may change; a gate has none to change. */
    private static Set<String> editable(JsonNode s, boolean gate, String where, String step) {
        JsonNode e = s.get("editable");
        if (e == null || e.isNull()) {
            return Set.of();
        }
        if (!e.isArray()) {
            throw new Runbook.InvalidRunbook(where, step, "'editable' must be a list of parameter names");
        }
        if (gate && !e.isEmpty()) {
            throw new Runbook.InvalidRunbook(where, step, "a gate has no parameters a retry could edit");
        }
        Set<String> names = new java.util.LinkedHashSet<>();
        for (JsonNode n : e) {
            String name = n.isTextual() ? n.asText() : "";
            if (!EDITABLE_NAME.matcher(name).matches()) {
                throw new Runbook.InvalidRunbook(where, step, "'editable': '" + n.asText() + "' is not a parameter name");
            }
            names.add(name);
        }
        return names;
    }

    /** {@code binds: {name: [step.output, ..]}}: what an approval of the gate is bound to. */
    private static Map<String, List<String>> binds(JsonNode s, String where, String step) {
        JsonNode b = s.get("binds");
        if (b == null || b.isNull()) {
            return Map.of();
        }
        if (!b.isObject()) {
            throw new Runbook.InvalidRunbook(where, step, "'binds' must map each artifact's name to a list of step outputs");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = b.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!EDITABLE_NAME.matcher(e.getKey()).matches()) {
                throw new Runbook.InvalidRunbook(where, step, "'binds': '" + e.getKey() + "' is not a name");
            }
            List<String> sources = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                sources.add(v.asText());
            } else if (v.isArray() && !v.isEmpty()) {
                v.forEach(n -> sources.add(n.asText()));
            } else {
                throw new Runbook.InvalidRunbook(where, step, "'binds': '" + e.getKey() + "' must name one or more step outputs");
            }
            out.put(e.getKey(), sources);
        }
        return out;
    }

    private static RetryPolicy retry(JsonNode r, RetryPolicy base, String where, String step) {
        if (!r.isObject()) {
            throw new Runbook.InvalidRunbook(where, step, "'retry' must be a mapping (maxAttempts, backoff, maxBackoff, onTimeout)");
        }
        try {
            return new RetryPolicy(
                    r.hasNonNull("maxAttempts") ? r.get("maxAttempts").asInt() : base.maxAttempts(),
                    r.hasNonNull("backoff") ? duration(r.get("backoff"), where, step) : base.backoff(),
                    r.hasNonNull("maxBackoff") ? duration(r.get("maxBackoff"), where, step) : base.maxBackoff(),
                    r.hasNonNull("onTimeout") ? r.get("onTimeout").asBoolean() : base.onTimeout());
        } catch (IllegalArgumentException e) {
            throw new Runbook.InvalidRunbook(where, step, "retry: " + e.getMessage());
        }
    }

    /** {@code 500ms}, {@code 5s}, {@code 10m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT10M}. */
    static Duration duration(JsonNode node, String where, String step) {
        String v = node.asText().trim();
        Matcher m = SHORT_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw new Runbook.InvalidRunbook(where, step, "'" + v + "' is not a duration (like 30s, 10m, 2h or PT10M)");
        }
    }

    private static String text(JsonNode node, String field, String where, String step, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            if (required) {
                throw new Runbook.InvalidRunbook(where, step, "'" + field + "' is required");
            }
            return null;
        }
        return v.asText();
    }

    private static void unknownKeys(String where, String step, JsonNode node, Set<String> known) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new Runbook.InvalidRunbook(where, step, "unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        });
    }
}
