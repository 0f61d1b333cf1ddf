package dev.releasetrain.notify;

import dev.releasetrain.worker.StepFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The texts of the channel messages, from configuration: {@code release-train.notify.templates.<name>} with
 * {@code {{placeholder}}}s (the defaults are in application.properties). A placeholder with no value fails the
 * step, not retryable: a template naming something the command does not carry is a configuration mistake.
 * A placeholder may have an empty value, for a part of the message that is optional (the post link of an
 * announcement without a post): a line of the template that holds only placeholders and renders empty is left
 * out with its line break, so an optional part on a line of its own leaves neither a dangling label nor a blank line.
 */
@ApplicationScoped
public class MessageTemplates {
    static final String PREFIX = "release-train.notify.templates.";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");
    private static final Pattern ONLY_PLACEHOLDERS = Pattern.compile("\\s*(?:\\{\\{\\s*[A-Za-z0-9_.-]+\\s*}}\\s*)+");

    @Inject
    Config config;

    /** The configured template {@code name}. */
    public String template(String name) {
        Optional<String> t = config.getOptionalValue(PREFIX + name, String.class);
        return t.filter(s -> !s.isBlank()).orElseThrow(() -> new StepFailure(
                "no message template " + PREFIX + name + " is configured", false));
    }

    /** Renders template {@code name} with these values. */
    public String render(String name, Map<String, String> values) {
        return render(name, template(name), values);
    }

    static String render(String name, String template, Map<String, String> values) {
        List<String> lines = new ArrayList<>();
        for (String line : template.split("\n", -1)) {
            String rendered = renderLine(name, line, values);
            if (!(rendered.isBlank() && ONLY_PLACEHOLDERS.matcher(line).matches())) {
                lines.add(rendered);
            }
        }
        return String.join("\n", lines);
    }

    private static String renderLine(String name, String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new StepFailure("message template " + name + " uses {{" + m.group(1) + "}}, which has no value here; "
                        + "known: " + new TreeSet<>(values.keySet()), false);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
