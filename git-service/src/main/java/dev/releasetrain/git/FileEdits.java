package dev.releasetrain.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.worker.StepFailure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edits the steps make to files, as pure functions on their text. Each changes only what it must and
 * leaves every other byte as it was (indentation, quotes, comments, line endings); each is idempotent
 * (applied to its own result it changes nothing). A file not in the expected shape fails the step, not
 * retryable: a person must look at it.
 */
final class FileEdits {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSION_PY = Pattern.compile("(?m)^(VERSION\\s*=\\s*)([\"'])([^\"'\\r\\n]*)\\2");
    private static final Pattern JSON_FIELD = Pattern.compile("(\"%s\"\\s*:\\s*\")([^\"]*)(\")");
    private static final Pattern CHART_KEY = Pattern.compile("(?m)^(%s:[ \\t]*)([\"']?)([^\"'\\s#]+)\\2");

    private FileEdits() {
    }

    /** {@code posthog/version.py}: {@code VERSION = "[v]"}. */
    static String versionPy(String text, String version) {
        Matcher m = VERSION_PY.matcher(text);
        if (!m.find()) {
            throw shape("posthog/version.py", "no line VERSION = \"...\"");
        }
        return text.substring(0, m.start(3)) + version + text.substring(m.end(3));
    }

    /** The version {@code posthog/version.py} says ({@code VERSION = "[v]"}). */
    static String versionOfPy(String text) {
        Matcher m = VERSION_PY.matcher(text);
        if (!m.find()) {
            throw shape("posthog/version.py", "no line VERSION = \"...\"");
        }
        return m.group(3);
    }

    /**
     * {@code posthog/versions.json}: a new entry {@code {"version", "release_date"}} in version order, newest first
     * (first, for a release newer than every listed one; after the newer ones, for a patch of an older minor), written
     * in the style of the current first entry (its indentation and line breaks), separated from its neighbours as the
     * first is from the second. Unchanged when the version is already listed with this date.
     */
    static String versionsJson(String text, String version, String releaseDate) {
        JsonNode list;
        try {
            list = JSON.readTree(text);
        } catch (IOException e) {
            throw shape("posthog/versions.json", "not JSON: " + e.getMessage());
        }
        if (list == null || !list.isArray()) {
            throw shape("posthog/versions.json", "not a JSON array");
        }
        SemVer wanted = SemVer.parse(version);
        int at = list.size();
        for (int i = 0; i < list.size(); i++) {
            String listed = list.get(i).path("version").asText(null);
            if (version.equals(listed)) {
                if (releaseDate.equals(list.get(i).path("release_date").asText(null))) {
                    return text;
                }
                throw new StepFailure("posthog/versions.json already has version " + version + " (entry " + (i + 1)
                        + ", release_date " + list.get(i).path("release_date").asText() + "); expected it absent or "
                        + "with release_date " + releaseDate, false);
            }
            if (at == list.size() && SemVer.tryParse(listed).filter(v -> v.compareTo(wanted) < 0).isPresent()) {
                at = i;
            }
        }
        int open = text.indexOf('[');
        if (list.isEmpty()) {
            int close = text.lastIndexOf(']');
            String entry = "{\n    \"version\": \"" + version + "\",\n    \"release_date\": \"" + releaseDate + "\"\n  }";
            return text.substring(0, open + 1) + "\n  " + entry + "\n" + text.substring(close);
        }
        // entries are flat objects: each starts at a '{' after the end '}' of the one before
        List<int[]> spans = new ArrayList<>();
        int from = open;
        for (int i = 0; i < list.size(); i++) {
            int start = text.indexOf('{', from);
            int end = text.indexOf('}', start);
            spans.add(new int[]{start, end + 1});
            from = end + 1;
        }
        String firstEntry = text.substring(spans.get(0)[0], spans.get(0)[1]);
        String entry = replaceField(replaceField(firstEntry, "version", version), "release_date", releaseDate);
        String separator = list.size() > 1 ? text.substring(spans.get(0)[1], spans.get(1)[0]) // ",\n  " in the usual style
                : "," + text.substring(open + 1, spans.get(0)[0]);
        String result = at < list.size()
                ? text.substring(0, spans.get(at)[0]) + entry + separator + text.substring(spans.get(at)[0])
                : text.substring(0, spans.get(at - 1)[1]) + separator + entry + text.substring(spans.get(at - 1)[1]);
        try {
            JSON.readTree(result);
        } catch (IOException e) {
            throw shape("posthog/versions.json", "the new entry would not parse: " + e.getMessage());
        }
        return result;
    }

    private static String replaceField(String entry, String field, String value) {
        Matcher m = Pattern.compile(String.format(JSON_FIELD.pattern(), Pattern.quote(field))).matcher(entry);
        if (!m.find()) {
            throw shape("posthog/versions.json", "its first entry has no \"" + field + "\": " + entry);
        }
        return entry.substring(0, m.start(2)) + value + entry.substring(m.end(2));
    }

    /** The value of a top-level key of a YAML file ({@code version}, {@code appVersion} in Chart.yaml). */
    static String topLevel(String text, String key, String file) {
        Matcher m = Pattern.compile(String.format(CHART_KEY.pattern(), Pattern.quote(key))).matcher(text);
        if (!m.find()) {
            throw shape(file, "no top-level " + key + ":");
        }
        return m.group(3);
    }

    static String setTopLevel(String text, String key, String value, String file) {
        Matcher m = Pattern.compile(String.format(CHART_KEY.pattern(), Pattern.quote(key))).matcher(text);
        if (!m.find()) {
            throw shape(file, "no top-level " + key + ":");
        }
        return text.substring(0, m.start(3)) + value + text.substring(m.end(3));
    }

    /** The semver {@code version} bumped by {@code part}. */
    static String bump(String version, SemVer.Part part) {
        return SemVer.tryParse(version).orElseThrow(() -> new StepFailure("the chart version " + version
                + " is not MAJOR.MINOR.PATCH", false)).bump(part).toString();
    }

    /**
     * In a YAML file, the value of {@code key} directly inside the top-level block {@code block} (e.g. image.tag),
     * replaced; quotes and a trailing comment kept. Returns the text unchanged when the value is already it.
     */
    static String setInBlock(String text, String block, String key, String value, String file) {
        Matcher start = Pattern.compile("(?m)^" + Pattern.quote(block) + ":[ \\t]*(#.*)?$").matcher(text);
        if (!start.find()) {
            throw shape(file, "no top-level " + block + ":");
        }
        int pos = text.indexOf('\n', start.end());
        while (pos >= 0 && pos + 1 < text.length()) {
            int lineStart = pos + 1;
            int lineEnd = text.indexOf('\n', lineStart);
            String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#")) {
                break; // the next top-level key: the block ended
            }
            Matcher kv = Pattern.compile("^([ \\t]+" + Pattern.quote(key) + ":[ \\t]*)([\"']?)([^\"'#\\r]*?)\\2([ \\t]*(#.*)?\\r?)$")
                    .matcher(line);
            if (kv.matches()) {
                int from = lineStart + kv.start(3);
                return text.substring(0, from) + value + text.substring(lineStart + kv.end(3));
            }
            pos = lineEnd;
        }
        throw shape(file, "no " + block + "." + key + ":");
    }

    /** In the chart's values.yaml: image.default {@code ":[imageTag]"} and the example of the image.tag comment. */
    static String chartValues(String text, String imageTag, String file) {
        String out = setInBlock(text, "image", "default", ":" + imageTag, file);
        Matcher example = Pattern.compile("(?m)^([ \\t]+# -- PostHog image tag to use \\(example: `)([^`]*)(`\\)\\.?)").matcher(out);
        if (example.find()) {
            out = out.substring(0, example.start(2)) + imageTag + out.substring(example.end(2));
        }
        return out;
    }

    /** ALL_VALUES.md: the Version and AppVersion badges and the image.default row. */
    static String allValues(String text, String chartVersion, String appVersion, String imageTag, String file) {
        String out = badge(text, "Version", chartVersion, file);
        out = badge(out, "AppVersion", appVersion, file);
        Matcher row = Pattern.compile("(?m)^(\\| image\\.default \\| string \\| `\")([^\"`]*)(\"` \\|)").matcher(out);
        if (!row.find()) {
            throw shape(file, "no | image.default | row");
        }
        return out.substring(0, row.start(2)) + ":" + imageTag + out.substring(row.end(2));
    }

    private static String badge(String text, String name, String value, String file) {
        Matcher m = Pattern.compile("!\\[" + name + ": ([^\\]]+)\\]\\(https://img\\.shields\\.io/badge/" + name
                + "-([^-)]+)-").matcher(text);
        if (!m.find()) {
            throw shape(file, "no " + name + " badge");
        }
        return text.substring(0, m.start(1)) + value + text.substring(m.end(1), m.start(2)) + value + text.substring(m.end(2));
    }

    private static StepFailure shape(String file, String what) {
        return new StepFailure(file + " is not in the expected shape: " + what, false);
    }
}
