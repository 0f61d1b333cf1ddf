package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Renders a release timeline (GET /releases/{v}/timeline) as a table a person reads at a glance. */
public final class TimelineTable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private TimelineTable() {
    }

    public static String render(JsonNode t) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Release %s  (%s, runbook %s, started by %s, %s)%n", t.path("version").asText(),
                t.path("status").asText(), t.path("runbook").asText(), t.path("startedBy").asText(),
                t.path("durationMs").isNull() ? "still running" : ms(t.path("durationMs")) + " in all"));
        String fmt = "  %-26s %-8s %-7s %-10s %-12s %9s %9s %9s  %s%n";
        sb.append(String.format(fmt, "step", "service", "attempt", "status", "start", "queue", "run", "total", "note"));
        for (JsonNode step : t.path("steps")) {
            JsonNode gate = step.path("gate");
            if (gate.isObject()) {
                for (JsonNode v : gate.path("voided")) {
                    sb.append(String.format(fmt, step.path("step").asText(), "gate", "-", "void",
                            time(v.path("approvedAt")), "-", "-", "-", "void at " + time(v.path("voidedAt")) + ": "
                                    + v.path("reason").asText()));
                }
                String note = gate.path("approver").isTextual()
                        ? "approved by " + gate.path("approver").asText() + (gate.path("note").isTextual() ? ": " + gate.path("note").asText() : "")
                        : "waiting for " + gate.path("waitingFor").asText();
                sb.append(String.format(fmt, step.path("step").asText(), "gate", "-", step.path("status").asText(),
                        time(gate.path("openedAt")), "-", "-", ms(gate.path("waitMs")), note));
                continue;
            }
            for (JsonNode a : step.path("attempts")) {
                String note = a.path("reason").isNull() || a.path("reason").isMissingNode() ? "" : a.path("reason").asText();
                if (!a.path("retryRequestedBy").isNull() && !a.path("retryRequestedBy").isMissingNode()) {
                    note = ("retried by " + a.path("retryRequestedBy").asText() + " " + note).trim();
                }
                sb.append(String.format(fmt, step.path("step").asText(), step.path("service").asText(),
                        a.path("attempt").asText(), a.path("status").asText(), time(a.path("startedAt")),
                        ms(a.path("queueMs")), ms(a.path("runMs")), ms(a.path("durationMs")), note));
            }
        }
        JsonNode w = t.path("waits");
        sb.append(String.format("  time in queues %s, running %s, waiting for people %s; %d events in the log%n",
                ms(w.path("queueMs")), ms(w.path("runMs")), ms(w.path("humanWaitMs")), t.path("events").asLong()));
        if (t.path("criticalPath").size() > 0) {
            java.util.List<String> path = new java.util.ArrayList<>();
            t.path("criticalPath").forEach(n -> path.add(n.asText()));
            sb.append("  critical path: ").append(String.join(" -> ", path)).append(String.format("%n"));
        }
        return sb.toString();
    }

    private static String time(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "-" : TIME.format(Instant.parse(n.asText()));
    }

    private static String ms(JsonNode n) {
        if (n.isNull() || n.isMissingNode()) {
            return "-";
        }
        long ms = n.asLong();
        return ms < 10_000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }
}
