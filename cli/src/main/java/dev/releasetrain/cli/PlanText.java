package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a release plan ({@code POST /releases/plan}) for a person: the dates and owner, each step with its
 * parameters and what it would do, the diffs (coloured when {@code colour}: on a terminal), the picks, the
 * changelog, and the steps that could not be planned.
 */
public final class PlanText {
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String CYAN = "\u001b[36m";
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
