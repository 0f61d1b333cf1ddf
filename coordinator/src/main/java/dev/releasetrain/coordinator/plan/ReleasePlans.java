package dev.releasetrain.coordinator.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.coordinator.release.ReleaseCommand;
import dev.releasetrain.coordinator.release.ReleaseSchedule;
import dev.releasetrain.coordinator.release.Releases;
import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.coordinator.runbook.StepDefinition;
import dev.releasetrain.coordinator.runbook.Templates;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A release planned, not started: what {@code POST /releases} would start (version, kind, previous version,
 * dates, owner), each step of its runbook in order with its parameters resolved, and for the git steps what the
 * git service says they would do. Appends nothing, and asks only the read-only plan of the git service. The
 * other services' steps have no plan of their own: they are listed with their parameters, marked not planned.
 */
@ApplicationScoped
public class ReleasePlans {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Releases releases;

    @Inject
    GitPlanClient git;

    @Inject
    ReleaseSchedule schedule;

    public record Dates(Instant freeze, Instant breakTheRelease, Instant releaseDay) {
    }

    /**
     * One step of the plan. {@code planned}: its effects were worked out ({@code plan}: the git service's answer,
     * with its changes as unified diffs, what it creates, the picks); otherwise {@code note} says why not.
     */
    public record PlannedStep(String step, String service, String phase, List<String> needs,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String gate,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, List<String>> binds,
                              Map<String, String> params, boolean planned, String note,
                              @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode plan) {
    }

    /** {@code variables}: the release variables every command carries; each step's {@code params} are its own. */
    public record Plan(String version, String kind, String runbook, String previousVersion, String owner,
                       String startedBy, Dates dates, Map<String, String> variables, List<PlannedStep> steps,
                       JsonNode changelog, List<String> notPlanned) {
    }

    /** The plan, or the refusal {@code POST /releases} would answer with the same body. */
    public record Result(Plan plan, Releases.Outcome refusal) {
    }

    public Result plan(String version, String kind, String runbookName, String user) {
        Releases.Prepared prepared = releases.prepare(version, kind, runbookName, user);
        if (prepared.refusal() != null) {
            return new Result(null, prepared.refusal());
        }
        ReleaseCommand.Start start = prepared.start();
        Runbook runbook = start.runbook();
        Map<String, String> variables = start.variables();

        List<GitPlanClient.Step> gitSteps = new ArrayList<>();
        for (StepDefinition d : runbook.steps()) {
            if ("git".equals(d.service())) {
                gitSteps.add(new GitPlanClient.Step(d.id(), d.handler(), params(d, variables, Map.of())));
            }
        }
        GitPlanClient.Answer answer = gitSteps.isEmpty() ? new GitPlanClient.Answer(JSON.createArrayNode(), null) : git.plan(gitSteps);
        Map<String, JsonNode> gitPlans = new HashMap<>();
        Map<String, Map<String, Object>> outputs = new HashMap<>();
        if (answer.steps() != null) {
            for (JsonNode p : answer.steps()) {
                gitPlans.put(p.path("step").asText(), p);
                @SuppressWarnings("unchecked")
                Map<String, Object> out = JSON.convertValue(p.path("outputs"), Map.class);
                outputs.put(p.path("step").asText(), out == null ? Map.of() : out);
            }
        }

        List<PlannedStep> steps = new ArrayList<>();
        List<String> notPlanned = new ArrayList<>();
        JsonNode changelog = null;
        for (StepDefinition d : runbook.steps()) {
            Map<String, String> params = new LinkedHashMap<>(params(d, variables, outputs));
            params.keySet().retainAll(d.params().keySet());
            if (d.isGate()) {
                String who = d.gate().approvers().equals("owner") ? "the release owner (" + variables.get("owner") + ")"
                        : "an approver" + (d.gate().notTheStarter() ? " other than who starts the release" : "");
                String opens = d.gate().opensAt() == null ? "" : "; opens by itself at " + variables.get(d.gate().opensAt());
                steps.add(new PlannedStep(d.id(), d.service(), d.phase(), d.dependsOn(), "waits for " + who + opens, d.binds(),
                        params, true, "a gate: nothing to change", null));
                continue;
            }
            JsonNode p = gitPlans.get(d.id());
            if (p != null) {
                boolean planned = p.path("planned").asBoolean();
                steps.add(new PlannedStep(d.id(), d.service(), d.phase(), d.dependsOn(), null, Map.of(), params, planned,
                        p.path("note").asText(), p));
                if (!planned) {
                    notPlanned.add(d.id());
                }
                if ("git.collect-changelog".equals(d.handler()) && planned) {
                    changelog = p.path("outputs");
                }
                continue;
            }
            String why = "git".equals(d.service())
                    ? "not planned: " + (answer.unavailable() != null ? answer.unavailable() : "the git service gave no plan for it")
                    : "not planned: the " + d.service() + " service has no read-only plan; it runs " + d.handler() + " with these parameters";
            steps.add(new PlannedStep(d.id(), d.service(), d.phase(), d.dependsOn(), null, Map.of(), params, false, why, null));
            notPlanned.add(d.id());
        }
        return new Result(new Plan(start.version(), start.kind(), runbook.name(), start.previousVersion(),
                variables.get("owner"), start.startedBy(), dates(variables, runbook), variables, steps, changelog, notPlanned), null);
    }

    /**
     * A step's parameters as its command would carry them: the release variables and its own params rendered, an
     * output of an earlier step by its planned value when the plan has one, else shown as {@code <step.output>}.
     */
    private static Map<String, String> params(StepDefinition d, Map<String, String> variables, Map<String, Map<String, Object>> outputs) {
        Map<String, String> out = new LinkedHashMap<>(variables);
        d.params().forEach((name, template) -> out.put(name, Templates.render(template, variables, id -> {
            Map<String, Object> m = new HashMap<>();
            for (String ref : Templates.references(template)) {
                String[] so = Templates.stepOutput(ref);
                if (so != null && so[0].equals(id)) {
                    Object known = outputs.getOrDefault(id, Map.of()).get(so[1]);
                    m.put(so[1], known != null ? known : "<" + id + "." + so[1] + ">");
                }
            }
            return m;
        })));
        return out;
    }

    private Dates dates(Map<String, String> variables, Runbook runbook) {
        Instant freeze = instant(variables.get("freezeTime"));
        Instant release = instant(variables.get("releaseTime"));
        Instant session = null;
        if (runbook.step("break-the-release").isPresent() && variables.get("releaseDate") != null) {
            session = schedule.breakTheRelease(LocalDate.parse(variables.get("releaseDate"))).orElse(null);
        }
        return new Dates(freeze, session, release);
    }

    private static Instant instant(String value) {
        try {
            return value == null || value.isBlank() ? null : Instant.parse(value);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
