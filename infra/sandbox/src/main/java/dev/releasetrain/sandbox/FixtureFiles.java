package dev.releasetrain.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contents of the seeded repositories' files, kept as resources of this module under
 * {@code dev/releasetrain/sandbox/fixtures/}:
 * <ul>
 *   <li>{@code <repository>/<commit>/<path>}: a file as one commit of {@link GitFixtures} writes it, the commit
 *       named by its pull request number, or by the release it is about when it has none;</li>
 *   <li>{@code templates/<repository>/<path>}: a file written with values (versions, an image tag), each
 *       {@code ${name}} replaced;</li>
 *   <li>{@code posthog.com/<path>}: the website repository {@link WebsiteFixtures} hosts.</li>
 * </ul>
 */
final class FixtureFiles {

    private static final String ROOT = "fixtures/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");

    private FixtureFiles() {
    }

    /** The file at {@code path} under the fixtures, e.g. {@code posthog/5902/posthog/queries/funnels/base.py}. */
    static String read(String path) {
        try (InputStream in = FixtureFiles.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture file " + ROOT + path + " next to " + FixtureFiles.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template {@code templates/<path>} with each {@code ${name}} replaced by its value; every name needs one. */
    static String template(String path, Map<String, String> values) {
        String text = read("templates/" + path);
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        if (!names.equals(new TreeSet<>(values.keySet()))) {
            throw new IllegalArgumentException("template " + path + " takes " + names + ", given " + values.keySet());
        }
        return m.replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1))));
    }
}
