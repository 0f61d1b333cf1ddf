package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a release plan ({@code POST /releases/plan}) for a person: the dates and owner, each step with its
 * parameters and what it would do: the diffs (coloured when {@code colour}: on a terminal), the picks, the release
 * post's markdown, the Slack messages, the CDN paths, the images and the playground's upgrade; then the changelog
 * and the steps that could not be planned.
 */
public final class PlanText {
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String CYAN = "\u001b[36m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private PlanText() {
    }

    public static String render(JsonNode p, boolean colour) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Plan of release %s (%s, runbook %s), owner %s, previous version %s; nothing was changed%n",
                p.path("version").asText(), p.path("kind").asText(), p.path("runbook").asText(), p.path("owner").asText(),
                p.path("previousVersion").asText("").isEmpty() ? "none" : p.path("previousVersion").asText()));
        JsonNode d = p.path("dates");
        sb.append(String.format("  code freeze        %s%n", d.path("freeze").asText("-")));
        sb.append(String.format("  break-the-release  %s%n", d.path("breakTheRelease").isNull() ? "-" : d.path("breakTheRelease").asText("-")));
        sb.append(String.format("  release day        %s%n", d.path("releaseDay").asText("-")));
        int n = 0;
        for (JsonNode s : p.path("steps")) {
            n++;
            boolean planned = s.path("planned").asBoolean();
            String head = String.format("%n%2d. %s [%s]%s", n, s.path("step").asText(), s.path("service").asText(),
                    planned ? "" : "  NOT PLANNED");
            sb.append(colour ? BOLD + head + RESET : head).append(String.format("%n"));
            if (s.path("gate").isTextual()) {
                sb.append("    gate: ").append(s.path("gate").asText()).append(String.format("%n"));
                s.path("binds").fields().forEachRemaining(b -> sb.append("    binds ").append(b.getKey()).append(" <- ")
                        .append(join(b.getValue())).append(String.format("%n")));
            }
            s.path("params").fields().forEachRemaining(e -> sb.append("    ").append(e.getKey()).append(" = ")
                    .append(cut(e.getValue().asText())).append(String.format("%n")));
            if (s.path("note").isTextual() && !s.path("note").asText().isEmpty()) {
                sb.append("    ").append(s.path("note").asText()).append(String.format("%n"));
            }
            JsonNode plan = s.path("plan");
            for (JsonNode c : plan.path("creates")) {
                sb.append(String.format("    creates %s %s in %s%s%n", c.path("kind").asText(), quoteIfTitle(c), c.path("repository").asText(),
                        c.path("exists").asBoolean() ? " (exists already" + (c.path("at").isTextual() ? ", " + c.path("at").asText() : "") + ")"
                                : " (new)"));
            }
            for (JsonNode k : plan.path("picks")) {
                sb.append(String.format("    #%d %s: %s%s%n", k.path("pullRequest").asInt(), k.path("title").asText(), k.path("outcome").asText(),
                        k.path("conflicts").size() > 0 ? " in " + join(k.path("conflicts")) : ""));
            }
            images(sb, plan, colour);
            deploy(sb, plan.path("deploy"), colour);
            if (plan.path("playgroundHeldBy").isObject()) {
                JsonNode h = plan.path("playgroundHeldBy");
                sb.append(String.format("    the playground is held by release %s%s%n", h.path("release").asText(),
                        h.path("expired").asBoolean() ? " (expired)" : h.path("until").isTextual() ? " until " + h.path("until").asText() : ""));
            }
            if (plan.path("paths").isArray()) {
                JsonNode dist = plan.path("distribution");
                sb.append(String.format("    invalidates %s on CloudFront distribution %s%s%n", join(plan.path("paths")),
                        dist.path("id").asText(), dist.path("domainName").isTextual() ? " (" + dist.path("domainName").asText() + ")" : ""));
            }
            if (plan.path("message").isObject()) {
                JsonNode m = plan.path("message");
                String to = String.format("    Slack message to %s (%s workspace):", m.path("channel").asText(), m.path("workspace").asText());
                sb.append(colour ? CYAN + to + RESET : to).append(String.format("%n"));
                quoted(sb, m.path("text").asText());
            }
            if (plan.path("post").path("markdown").isTextual()) {
                JsonNode post = plan.path("post");
                sb.append(String.format("    release post %s on branch %s of %s, pull request \"%s\"%s%n", post.path("path").asText(),
                        post.path("branch").asText(), post.path("repository").asText(), post.path("pullRequestTitle").asText(),
                        post.path("url").isTextual() ? ", published at " + post.path("url").asText() : ""));
                for (String line : post.path("markdown").asText().split("\n")) {
                    String shown = "      | " + line;
                    sb.append(colour && line.startsWith("#") ? BOLD + shown + RESET : shown).append(String.format("%n"));
                }
            }
            for (JsonNode c : plan.path("changes")) {
                sb.append(String.format("    %s: %s%n", c.path("repository").asText(), c.path("path").asText()));
                for (String line : c.path("diff").asText().split("\n")) {
                    sb.append("      ").append(colour ? colourLine(line) : line).append(String.format("%n"));
                }
            }
        }
        JsonNode log = p.path("changelog");
        if (log.isObject()) {
            sb.append(String.format("%nChangelog (%s, %d commits)%n", log.path("range").asText(), log.path("commits").asInt()));
            for (String line : log.path("log").asText().split("\n")) {
                sb.append("  ").append(line).append(String.format("%n"));
            }
            if (log.path("highlights").size() > 0) {
                sb.append("Highlights").append(String.format("%n"));
                for (JsonNode h : log.path("highlights")) {
                    sb.append(String.format("  #%d %s%n", h.path("number").asInt(), h.path("title").asText()));
                }
            }
            if (log.path("externalContributors").size() > 0) {
                sb.append("External contributors: ").append(join(log.path("externalContributors"))).append(String.format("%n"));
            }
        }
        if (p.path("notPlanned").size() > 0) {
            sb.append(String.format("%nNot planned (%d): %s%n", p.path("notPlanned").size(), join(p.path("notPlanned"))));
        }
        return sb.toString().stripTrailing();
    }

    /** The image tags a step looks for, and whether the registry has them now. */
    private static void images(StringBuilder sb, JsonNode plan, boolean colour) {
        for (JsonNode i : plan.path("images")) {
            String state = i.path("exists").asBoolean() ? "in the registry (" + i.path("digest").asText() + ")" : "not in the registry yet";
            String line = String.format("    image %s:%s %s", i.path("image").asText(), i.path("tag").asText(), state);
            sb.append(colour ? (i.path("exists").asBoolean() ? GREEN : YELLOW) + line + RESET : line).append(String.format("%n"));
        }
    }

    /** What the playground's upgrade would deploy, compared with the revision there now. */
    private static void deploy(StringBuilder sb, JsonNode d, boolean colour) {
        if (!d.isObject()) {
            return;
        }
        sb.append(String.format("    deploys chart %s to %s/%s, image %s%n", d.path("chart").asText(), d.path("namespace").asText(),
                d.path("release").asText(), d.path("image").asText()));
        String now = d.path("deployedRevision").isNumber()
                ? "revision " + d.path("deployedRevision").asInt() + " (" + d.path("deployedChart").asText() + ", "
                        + d.path("deployedStatus").asText() + ")"
                : "no revision";
        String change = d.path("changed").asBoolean()
                ? "new revision " + d.path("revision").asInt() + " after " + now
                        + (d.path("changedValues").size() > 0 ? "; values differ at " + join(d.path("changedValues")) : "")
                : "nothing changes: " + now + " has this chart and these values";
        String line = "    " + change;
        sb.append(colour && d.path("changed").asBoolean() ? YELLOW + line + RESET : line).append(String.format("%n"));
    }

    /** A message's text, each line indented and quoted. */
    private static void quoted(StringBuilder sb, String text) {
        for (String line : text.split("\n")) {
            sb.append("      > ").append(line).append(String.format("%n"));
        }
    }

    private static String quoteIfTitle(JsonNode c) {
        return "pull-request".equals(c.path("kind").asText()) ? "\"" + c.path("name").asText() + "\"" : c.path("name").asText();
    }

    private static String colourLine(String line) {
        if (line.startsWith("+++") || line.startsWith("---")) {
            return BOLD + line + RESET;
        }
        if (line.startsWith("+")) {
            return GREEN + line + RESET;
        }
        if (line.startsWith("-")) {
            return RED + line + RESET;
        }
        if (line.startsWith("@@")) {
            return CYAN + line + RESET;
        }
        return line;
    }

    private static String join(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(x -> out.add(x.asText()));
        return String.join(", ", out);
    }

    /** Long values (a changelog passed on as a parameter) cut to one line. */
    private static String cut(String value) {
        String first = value.lines().findFirst().orElse("");
        boolean more = value.contains("\n") || first.length() > 120;
        return (first.length() > 120 ? first.substring(0, 117) : first) + (more ? " ..." : "");
    }
}
