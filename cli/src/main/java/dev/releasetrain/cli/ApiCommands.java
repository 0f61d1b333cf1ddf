package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.releasetrain.protocol.CloudEventCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The REST API as commands. Exit codes: 0 done, 1 failed (the coordinator could not be reached,
 * answered 5xx, or the watched release failed or was cancelled), 2 bad usage (picocli), 3 refused (4xx: the
 * message says why). The bearer
 * token comes from the environment ({@code RELEASE_TRAIN_TOKEN}), never from the command line.
 */
public final class ApiCommands {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int REFUSED = 3;
    public static final int USAGE = 2;
    static final String FOOTER = "%nThe token comes from RELEASE_TRAIN_TOKEN, the coordinator from --url or RELEASE_TRAIN_URL."
            + "%nExit codes: 0 done, 1 failed (unreachable, server error, or the watched release failed or was cancelled), "
            + "2 bad usage (options, arguments), 3 refused (the coordinator said no, 4xx: the message says why).";

    private ApiCommands() {
    }

    /** Where the coordinator is and who is asking. */
    static final class Connection {
        @Option(names = "--url", defaultValue = "${env:RELEASE_TRAIN_URL:-http://localhost:8080}",
                description = "Coordinator URL (env RELEASE_TRAIN_URL, default ${DEFAULT-VALUE}).")
        String url;
        @Option(names = "--as", defaultValue = "${env:RELEASE_TRAIN_USER:-${sys:user.name}}", hidden = true,
                description = "A display name for messages; the coordinator knows you by your token.")
        String user;
        @Option(names = "--json", description = "Print the coordinator's JSON answer instead of text.")
        boolean json;

        /** Without RELEASE_TRAIN_TOKEN the call goes out unauthenticated: the coordinator refuses it (401). */
        ReleaseClient client() {
            String token = System.getenv("RELEASE_TRAIN_TOKEN");
            return new ReleaseClient(url, user, token == null || token.isBlank() ? null : token.trim());
        }
    }

    /** Runs a call and maps its answer to output and an exit code. */
    abstract static class ApiCall implements Callable<Integer> {
        @Mixin
        Connection connection;
        PrintStream out = System.out;
        PrintStream err = System.err;

        @Override
        public final Integer call() {
            try {
                return run(connection.client());
            } catch (UncheckedIOException e) {
                err.println("release-train: " + e.getMessage());
                return FAILED;
            }
        }

        abstract int run(ReleaseClient api);

        int answer(ReleaseClient.Answer a, java.util.function.Function<JsonNode, String> text) {
            if (a.status() >= 400) {
                String hint = a.status() == 401 ? (System.getenv("RELEASE_TRAIN_TOKEN") == null
                        ? " (RELEASE_TRAIN_TOKEN is not set; ./release-train up prints where the demo tokens are)"
                        : " (check RELEASE_TRAIN_TOKEN)") : "";
                err.println("release-train: " + (a.status() >= 500 ? "failed" : "refused") + " (" + a.status() + "): "
                        + a.message() + hint);
                return a.status() >= 500 ? FAILED : REFUSED;
            }
            out.println(connection.json ? pretty(a.body()) : text.apply(a.body()));
            return OK;
        }

        static String pretty(JsonNode n) {
            try {
                return CloudEventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsString(n);
            } catch (Exception e) {
                return String.valueOf(n);
            }
        }

        static String json(Map<String, Object> body) {
            ObjectNode n = CloudEventCodec.json().createObjectNode();
            body.forEach((k, v) -> {
                if (v != null) {
                    n.set(k, CloudEventCodec.json().valueToTree(v));
                }
            });
            return n.toString();
        }
    }

    static String statusText(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("release %s (%s, %s): %s%n", r.path("version").asText(), r.path("kind").asText(),
                r.path("runbook").asText(), r.path("status").asText()));
        if (r.path("failedStep").isTextual()) {
            sb.append(String.format("  stopped at %s: %s%n", r.path("failedStep").asText(), r.path("reason").asText()));
        }
        for (JsonNode s : r.path("steps")) {
            sb.append(String.format("  %-28s %-18s attempt %d%s%n", s.path("step").asText(), s.path("status").asText(),
                    s.path("attempt").asInt(), s.path("reason").isTextual() ? "  " + s.path("reason").asText() : ""));
        }
        return sb.toString().stripTrailing();
    }

    @Command(name = "start", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Start a release: the next minor by default, or VERSION; --patch for a patch release.")
    public static final class Start extends ApiCall {
        @Parameters(arity = "0..1", paramLabel = "VERSION", description = "Version to release (default: the next minor).")
        String version;
        @Option(names = "--patch", description = "A patch release: VERSION, or else the next patch of the newest minor.")
        boolean patch;
        @Option(names = "--runbook", description = "Run this plan instead of the kind's default.")
        String runbook;

        @Override
        int run(ReleaseClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", version);
            body.put("kind", patch ? "patch" : null);
            body.put("runbook", runbook);
            ReleaseClient.Answer a = api.post("/releases", json(body));
            return answer(a, r -> "release " + r.path("version").asText() + " started (" + r.path("runbook").asText()
                    + "), owner " + r.path("variables").path("owner").asText() + ", release day "
                    + r.path("variables").path("releaseDate").asText() + "\n  " + a.location());
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Plan a release without starting it: dates, owner, every step with its parameters, the diffs "
                    + "the git steps would make, what they would create, the cherry-picks and their conflicts. Changes nothing.")
    public static final class Plan extends ApiCall {
        @Parameters(arity = "0..1", paramLabel = "VERSION", description = "Version to plan (default: the next minor).")
        String version;
        @Option(names = "--patch", description = "A patch release: VERSION, or else the next patch of the newest minor.")
        boolean patch;
        @Option(names = "--runbook", description = "Plan this runbook instead of the kind's default.")
        String runbook;

        @Override
        int run(ReleaseClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", version);
            body.put("kind", patch ? "patch" : null);
            body.put("runbook", runbook);
            // colours only for a person at a terminal, never in a pipe or a file (NO_COLOR turns them off)
            boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
            return answer(api.post("/releases/plan", json(body)), p -> PlanText.render(p, colour));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, footer = FOOTER, description = "Show a release and each step's status.")
    public static final class Status extends ApiCall {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        int run(ReleaseClient api) {
            return answer(api.get("/releases/" + version), ApiCommands::statusText);
        }
    }

    @Command(name = "timeline", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Show a release's timeline: every attempt, queue / run / human-wait time, the critical path.")
    public static final class Timeline extends ApiCall {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        int run(ReleaseClient api) {
            return answer(api.get("/releases/" + version + "/timeline"), TimelineTable::render);
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Retry a failed or timed-out step, optionally with edited parameters.")
    public static final class Retry extends ApiCall {
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Parameters(index = "1", paramLabel = "STEP")
        String step;
        @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter of the new attempt (repeatable).")
        Map<String, String> params;
        @Option(names = "--reason", description = "Why, for the timeline.")
        String reason;

        @Override
        int run(ReleaseClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("reason", reason);
            body.put("params", params);
            return answer(api.post("/releases/" + version + "/steps/" + step + "/retry", json(body)),
                    r -> step + " of " + version + " requested again");
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, footer = FOOTER, description = "Approve a gate of a release.")
    public static final class Approve extends ApiCall {
        @Parameters(index = "0", paramLabel = "VERSION")
        String version;
        @Parameters(index = "1", paramLabel = "GATE", description = "break-the-release or release-day")
        String gate;
        @Option(names = "--note", description = "What you checked.")
        String note;
        @Option(names = "--evidence", description = "A link to the evidence (QA notes, dashboard).")
        String evidence;

        @Override
        int run(ReleaseClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("note", note);
            body.put("evidence", evidence);
            return answer(api.post("/releases/" + version + "/gates/" + gate + "/approve", json(body)),
                    r -> gate + " of " + version + " approved by " + connection.user);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, footer = FOOTER, description = "Cancel a release: no step is requested any more.")
    public static final class Cancel extends ApiCall {
        @Parameters(paramLabel = "VERSION")
        String version;
        @Option(names = "--reason")
        String reason;

        @Override
        int run(ReleaseClient api) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("reason", reason);
            return answer(api.post("/releases/" + version + "/cancel", json(body)), r -> "release " + version + " cancelled");
        }
    }

    @Command(name = "calendar", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Show a year's code freezes, release days and owners.")
    public static final class Calendar extends ApiCall {
        @Parameters(arity = "0..1", paramLabel = "YEAR")
        Integer year;

        @Override
        int run(ReleaseClient api) {
            int y = year == null ? java.time.Year.now().getValue() : year;
            return answer(api.get("/calendar/" + y), months -> {
                StringBuilder sb = new StringBuilder(String.format("%-8s %-12s %-12s %s%n", "month", "freeze", "release", "owner"));
                for (JsonNode m : months) {
                    sb.append(String.format("%-8s %-12s %-12s %s%n", m.path("month").asText(), m.path("freezeDate").asText(),
                            m.path("releaseDate").asText(), m.path("owner").asText()));
                }
                return sb.toString().stripTrailing();
            });
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, footer = FOOTER,
            description = "Follow a release live until it ends (or Ctrl-C); reconnects where it left off.")
    public static final class Watch extends ApiCall {
        @Parameters(paramLabel = "VERSION")
        String version;

        @Override
        int run(ReleaseClient api) {
            ReleaseClient.Answer exists = api.get("/releases/" + version);
            if (exists.status() >= 400) {
                return answer(exists, r -> "");
            }
            AtomicLong last = new AtomicLong(0);
            AtomicReference<String> end = new AtomicReference<>();
            for (int reconnects = 0; end.get() == null && reconnects < 100; reconnects++) {
                try {
                    api.follow(version, last.get() == 0 ? null : last.get(), e -> {
                        last.set(e.id());
                        if (connection.json) {
                            out.println(e.data());
                        } else {
                            String line = EventLines.describe(e);
                            if (line != null) {
                                out.printf("%5d  %s  %s%n", e.id(), e.data().path("time").asText().substring(11, 19), line);
                            }
                        }
                        switch (e.type()) {
                            case "ReleaseCompleted" -> end.set("completed");
                            case "ReleaseCancelled" -> end.set("cancelled");
                            // a failed release that was retried since runs on: stop only if it is still failed
                            case "ReleaseFailed" -> end.set(stillFailed(api) ? "failed" : null);
                            default -> {
                            }
                        }
                        return end.get() == null;
                    });
                } catch (UncheckedIOException broken) {
                    err.println("release-train: stream interrupted (" + broken.getMessage() + "), resuming after event " + last.get());
                }
            }
            if ("cancelled".equals(end.get())) {
                err.println("release-train: the release was cancelled");
                return FAILED;
            }
            if ("failed".equals(end.get())) {
                err.println("release-train: the release stopped; fix the cause and run: release-train retry " + version + " STEP");
                return FAILED;
            }
            return end.get() == null ? FAILED : OK;
        }

        private boolean stillFailed(ReleaseClient api) {
            ReleaseClient.Answer now = api.get("/releases/" + version);
            return now.status() != 200 || "failed".equals(now.body().path("status").asText());
        }
    }
}
