package dev.releasetrain.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.worker.StepFailure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "PostHog Array" release post as Markdown, from the changelog outputs of {@code git.collect-changelog}:
 * front matter, the highlights (merged PRs labelled {@code highlight}) first, then every change (the subjects of
 * {@code git log --pretty=format:"%s %ae"}, authors' emails left out, {@code (#n)} linked to the PR), then a
 * thank-you to the external contributors. Emails are not published: a GitHub noreply address becomes its
 * {@code @login}, any other address its name part.
 */
public final class ReleasePost {
    private static final Pattern LOG_LINE = Pattern.compile("^(.*\\S)\\s+(\\S+@\\S+)$");
    private static final Pattern PR_REF = Pattern.compile("\\(#(\\d+)\\)$");
    private static final Pattern NOREPLY = Pattern.compile("^(?:\\d+\\+)?([^@]+)@users\\.noreply\\.github\\.com$");

    /** One highlight: a merged pull request labelled {@code highlight}. */
    public record Highlight(int number, String title, String url) {
    }

    private ReleasePost() {
    }

    /**
     * @param log                  the {@code %s %ae} lines, newest first, as git prints them
     * @param highlightsJson       {@code [{"number":5902,"title":"...","url":"..."}]}
     * @param contributorsJson     {@code ["someone@example.com"]}
     * @param appRepositoryUrl     e.g. {@code https://github.com/PostHog/posthog}, for the PR links
     */
    public static String markdown(String version, String previousVersion, String releaseDate, String log,
                                  String highlightsJson, String contributorsJson, String appRepositoryUrl) {
        List<Highlight> highlights = highlights(highlightsJson);
        List<String> contributors = json("externalContributors", contributorsJson, new TypeReference<List<String>>() { });
        StringBuilder md = new StringBuilder();
        md.append("---\n");
        if (releaseDate != null && !releaseDate.isBlank()) {
            md.append("date: ").append(releaseDate).append('\n');
        }
        md.append("title: Array ").append(version).append('\n');
        md.append("rootPage: /blog\n");
        md.append("sidebar: Blog\n");
        md.append("showTitle: true\n");
        md.append("hideAnchor: true\n");
        md.append("category: PostHog news\n");
        md.append("tags: [\"Release notes\"]\n");
        md.append("---\n\n");
        md.append("PostHog ").append(version).append(" is out");
        if (previousVersion != null && !previousVersion.isBlank()) {
            md.append(": here is everything that changed since ").append(previousVersion);
        }
        md.append(".\n");

        if (!highlights.isEmpty()) {
            md.append("\n## Highlights\n\n");
            for (Highlight h : highlights) {
                md.append("- [").append(escape(h.title())).append("](").append(h.url()).append(") (#").append(h.number()).append(")\n");
            }
        }

        List<String> changes = changes(log);
        md.append("\n## Every change\n\n");
        if (changes.isEmpty()) {
            md.append("No changes.\n");
        }
        String pulls = appRepositoryUrl.replaceAll("/+$", "") + "/pull/";
        for (String subject : changes) {
            Matcher m = PR_REF.matcher(subject);
            String line = m.find()
                    ? escape(subject.substring(0, m.start()).strip()) + " ([#" + m.group(1) + "](" + pulls + m.group(1) + "))"
                    : escape(subject);
            md.append("- ").append(line).append('\n');
        }

        Set<String> names = new LinkedHashSet<>();
        for (String email : contributors) {
            names.add(publicName(email));
        }
        if (!names.isEmpty()) {
            md.append("\n## Thank you\n\n");
            md.append("Thanks to everyone outside PostHog who contributed to this release:\n\n");
            for (String n : names) {
                md.append("- ").append(n).append('\n');
            }
        }
        return md.toString();
    }

    static List<Highlight> highlights(String json) {
        List<Map<String, Object>> raw = json("highlights", json, new TypeReference<List<Map<String, Object>>>() { });
        List<Highlight> out = new ArrayList<>();
        for (Map<String, Object> h : raw) {
            Object number = h.get("number");
            if (!(number instanceof Number) || h.get("title") == null || h.get("url") == null) {
                throw new StepFailure("parameter highlights needs {number, title, url} in every entry, got " + h, false);
            }
            out.add(new Highlight(((Number) number).intValue(), String.valueOf(h.get("title")), String.valueOf(h.get("url"))));
        }
        return out;
    }

    /** The subjects of the log, without the author emails, in the log's order; blank lines skipped. */
    static List<String> changes(String log) {
        List<String> out = new ArrayList<>();
        if (log == null) {
            return out;
        }
        for (String line : log.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            Matcher m = LOG_LINE.matcher(l);
            out.add(m.matches() ? m.group(1) : l);
        }
        return out;
    }

    static String publicName(String email) {
        Matcher noreply = NOREPLY.matcher(email.strip());
        if (noreply.matches()) {
            return "[@" + noreply.group(1) + "](https://github.com/" + noreply.group(1) + ")";
        }
        int at = email.indexOf('@');
        return escape(at > 0 ? email.substring(0, at).strip() : email.strip());
    }

    private static <T> T json(String name, String value, TypeReference<T> type) {
        if (value == null || value.isBlank()) {
            value = "[]";
        }
        try {
            return CloudEventCodec.json().readValue(value, type);
        } catch (IOException e) {
            throw new StepFailure("parameter " + name + " is not the expected JSON list: " + firstLine(e.getMessage()), false);
        }
    }

    /** Markdown punctuation that would change the meaning of a title or subject. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("*", "\\*").replace("_", "\\_")
                .replace("<", "&lt;");
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
