package dev.releasetrain.worker;

import dev.releasetrain.protocol.CloudEventCodec;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes secrets from what leaves the service (step outputs, failure reasons, progress messages, dead-letter
 * reasons, the dispatcher's log lines), because those end up in the release log, the timeline and Slack. It knows the values of every
 * configured property whose name says it is a secret (token, password, secret, credential, private or
 * access or api key; environment variables included) and of those named in
 * {@code release-train.worker.secret-properties}; those a service knows from elsewhere, by {@link SecretValues}
 * beans (the tokens of a kubeconfig file, say); and it blanks passwords in URLs ({@code user:***@host}).
 */
@Singleton
public class SecretRedactor {
    public static final String MASK = "***";
    static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(token|password|passwd|secret|credential|jaas|private[-_.]?key|access[-_.]?key|api[-_.]?key).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@\\s:]+:)[^/@\\s]+@");
    /** Shorter values (flags, "none", ports) would mask ordinary words. */
    private static final int MIN_SECRET_LENGTH = 6;

    private final List<String> secrets;

    @Inject
    SecretRedactor(Config config, jakarta.enterprise.inject.Instance<SecretValues> more) {
        this(withMore(secretValues(config), more));
    }

    private static List<String> withMore(List<String> fromConfig, Iterable<SecretValues> more) {
        List<String> all = new ArrayList<>(fromConfig);
        for (SecretValues source : more) {
            all.addAll(source.values());
        }
        return all;
    }

    public SecretRedactor(Collection<String> secretValues) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String v : secretValues) {
            if (v != null && v.strip().length() >= MIN_SECRET_LENGTH) {
                distinct.add(v.strip());
            }
        }
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // a secret containing another goes first
        this.secrets = List.copyOf(sorted);
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return URL_PASSWORD.matcher(out).replaceAll("$1" + MASK + "@");
    }

    /**
     * {@code value} with every text in it redacted: strings, and the keys and values of maps and lists, however
     * nested (step outputs). Numbers, booleans and null are kept; any other object is redacted as its JSON form.
     */
    public Object redactValue(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof CharSequence text) {
            return redact(text.toString());
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(redact(String.valueOf(k)), redactValue(v)));
            return out;
        }
        if (value instanceof Collection<?> items) {
            List<Object> out = new ArrayList<>(items.size());
            items.forEach(v -> out.add(redactValue(v)));
            return out;
        }
        if (value instanceof Object[] items) {
            return redactValue(Arrays.asList(items));
        }
        Object plain;
        try {
            plain = CloudEventCodec.json().convertValue(value, Object.class);
        } catch (IllegalArgumentException notJson) {
            return redact(String.valueOf(value));
        }
        return plain instanceof Map || plain instanceof List || plain instanceof String ? redactValue(plain) : plain;
    }

    /** {@link #redactValue} of each output, keys included. */
    public Map<String, Object> redactOutputs(Map<String, Object> outputs) {
        Map<String, Object> out = new LinkedHashMap<>();
        outputs.forEach((k, v) -> out.put(redact(k), redactValue(v)));
        return out;
    }

    static List<String> secretValues(Config config) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : config.getPropertyNames()) {
            if (SECRET_NAME.matcher(name).matches()) {
                names.add(name);
            }
        }
        config.getOptionalValues("release-train.worker.secret-properties", String.class).ifPresent(names::addAll);
        List<String> values = new ArrayList<>();
        for (String name : names) {
            valueOf(config, name).ifPresent(values::add);
        }
        return values;
    }

    private static Optional<String> valueOf(Config config, String name) {
        try {
            return config.getOptionalValue(name, String.class);
        } catch (RuntimeException unreadable) {
            return Optional.empty(); // e.g. an expression naming a missing property: nothing to hide
        }
    }
}
