package dev.releasetrain.coordinator.runbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.releasetrain.protocol.CloudEventCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter templates: {@code {{version}}} for a release variable, {@code {{steps.<id>.<output>}}}
 * for an output of an earlier step. Outputs that are not strings render as JSON.
 */
public final class Templates {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}\\s]*)\\s*}}");
    /** The release variables (docs/runbook.md), set by {@code ReleaseVariables} when a release starts. */
    public static final Set<String> RELEASE_VARIABLES = Set.of("version", "previousVersion", "kind", "releaseBranch",
            "owner", "ownerSlack", "freezeDate", "freezeTime", "releaseDate", "releaseTime", "startedBy",
            "previousReleaseTime", "fromRef", "today");

    private Templates() {
    }

    /** The names a template refers to. */
    public static List<String> references(String template) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** A step output reference {@code steps.git.cut-release-branch.commit} as {step, output}, or null. */
    public static String[] stepOutput(String reference) {
        if (!reference.startsWith("steps.")) {
            return null;
        }
        String rest = reference.substring("steps.".length());
        int dot = rest.lastIndexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            return null;
        }
        return new String[]{rest.substring(0, dot), rest.substring(dot + 1)};
    }

    /** Renders {@code template}; {@code outputs} gives a step's outputs (null when it has none yet). */
    public static String render(String template, Map<String, String> variables,
                                Function<String, Map<String, Object>> outputs) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String ref = m.group(1);
            String value;
            String[] so = stepOutput(ref);
            if (so != null) {
                Map<String, Object> out = outputs.apply(so[0]);
                value = out == null ? "" : asText(out.get(so[1]));
            } else {
                value = variables.getOrDefault(ref, "");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String asText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        try {
            return CloudEventCodec.json().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName(), e);
        }
    }
}
