package dev.releasetrain.worker;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that leaves the service (failure reasons, progress messages, dead-letter
 * reasons), because those end up in the release log, the timeline and Slack. It knows the values of every
 * configured property whose name says it is a secret (token, password, secret, credential, private or
 * access or api key; environment variables included) and of those named in
 * {@code release-train.worker.secret-properties}; it also blanks passwords in URLs ({@code user:***@host}).
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
    SecretRedactor(Config config) {
        this(secretValues(config));
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
