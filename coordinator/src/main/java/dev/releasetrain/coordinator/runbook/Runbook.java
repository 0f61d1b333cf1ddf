package dev.releasetrain.coordinator.runbook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A release plan: steps, the dependencies between them, their parameters, deadlines, retries and
 * gates. Validated on construction (a known kind, unique step ids, known services, handlers reused with
 * {@code uses} named {@code <service>.<step>}, no missing dependency, no cycle, templates that name release
 * variables or outputs of earlier steps), so a release never starts on a broken plan.
 * {@code text} is the definition as written (YAML), recorded in ReleaseStarted to pin the plan.
 */
public record Runbook(String name, String kind, String source, String text, List<StepDefinition> steps) {
    public static final Set<String> SERVICES = Set.of("git", "deploy", "cdn", "notify");
    public static final String MINOR = "minor";
    public static final String PATCH = "patch";
    /** A plan that proves the stack works: its runs are marked as such and never count as releases. */
    public static final String PROVING = "proving";
    /** The kinds of plan, in the order error messages list them. */
    public static final List<String> KINDS = List.of(MINOR, PATCH, PROVING);
    /** A handler a node may reuse: {@code <service>.<name>}. */
    private static final Pattern HANDLER = Pattern.compile("([a-z]+)\\.[a-z0-9][a-z0-9.-]*");

    public Runbook {
        steps = List.copyOf(steps);
        String where = source == null ? "runbook '" + name + "'" : "runbook '" + name + "' (" + source + ")";
        Map<String, StepDefinition> byId = new LinkedHashMap<>();
        for (StepDefinition s : steps) {
            if (byId.put(s.id(), s) != null) {
                throw new InvalidRunbook(where, s.id(), "the step id is used twice");
            }
            if (s.isGate()) {
                if (!Gate.APPROVER.equals(s.gate().approvers()) && !Gate.OWNER.equals(s.gate().approvers())) {
                    throw new InvalidRunbook(where, s.id(), "gate approvers must be 'approver' or 'owner', got '" + s.gate().approvers() + "'");
                }
                if (s.gate().opensAt() != null && !Templates.RELEASE_VARIABLES.contains(s.gate().opensAt())) {
                    throw new InvalidRunbook(where, s.id(), "gate opensAt names no release variable: '" + s.gate().opensAt() + "'");
                }
                if (s.uses() != null) {
                    throw new InvalidRunbook(where, s.id(), "a gate is approved by people and uses no handler ('uses: " + s.uses() + "')");
                }
            } else if (s.uses() != null) {
                Matcher m = HANDLER.matcher(s.uses());
                if (!m.matches() || !SERVICES.contains(m.group(1))) {
                    throw new InvalidRunbook(where, s.id(), "'uses: " + s.uses() + "' must name a handler <service>.<step>"
                            + " of a known service (git, deploy, cdn, notify), e.g. git.cherry-pick-fixes");
                }
                String idService = servicePrefix(s.id());
                if (SERVICES.contains(idService) && !idService.equals(m.group(1))) {
                    throw new InvalidRunbook(where, s.id(), "the step id names service '" + idService + "' but 'uses: " + s.uses()
                            + "' is a handler of '" + m.group(1) + "'");
                }
                if (!m.group(1).equals(s.service())) {
                    throw new InvalidRunbook(where, s.id(), "runs on service '" + s.service() + "' but 'uses: " + s.uses()
                            + "' is a handler of '" + m.group(1) + "'");
                }
            } else if (!SERVICES.contains(s.service())) {
                throw new InvalidRunbook(where, s.id(), "unknown service '" + s.service() + "' (known: git, deploy, cdn, notify; a gate has 'gate:')");
            }
        }
        if (!KINDS.contains(kind)) {
            throw new InvalidRunbook(where, "-", "kind must be one of " + String.join(", ", KINDS) + ", got '" + kind + "'");
        }
        for (StepDefinition s : steps) {
            for (String dep : s.dependsOn()) {
                if (!byId.containsKey(dep)) {
                    throw new InvalidRunbook(where, s.id(), "depends on unknown step '" + dep + "'");
                }
            }
        }
        checkAcyclic(where, byId);
        for (StepDefinition s : steps) {
            if (!s.binds().isEmpty() && !s.isGate()) {
                throw new InvalidRunbook(where, s.id(), "only a gate binds artifacts ('binds:'): an approval is what they bind");
            }
            s.binds().forEach((artifact, outputs) -> {
                for (String output : outputs) {
                    int dot = output.lastIndexOf('.');
                    String from = dot > 0 ? output.substring(0, dot) : "";
                    if (!byId.containsKey(from) || byId.get(from).isGate()) {
                        throw new InvalidRunbook(where, s.id(), "binds '" + artifact + "' to '" + output
                                + "', which is not <step id>.<output> of a step of this runbook");
                    }
                }
            });
        }
        for (StepDefinition s : steps) {
            Set<String> ancestors = ancestors(s.id(), byId);
            s.params().forEach((param, template) -> {
                for (String ref : Templates.references(template)) {
                    String[] so = Templates.stepOutput(ref);
                    if (so != null) {
                        if (!byId.containsKey(so[0])) {
                            throw new InvalidRunbook(where, s.id(), "param '" + param + "' refers to unknown step '" + so[0] + "'");
                        }
                        if (!ancestors.contains(so[0])) {
                            throw new InvalidRunbook(where, s.id(), "param '" + param + "' uses an output of '" + so[0]
                                    + "', which this step does not depend on");
                        }
                    } else if (!Templates.RELEASE_VARIABLES.contains(ref)) {
                        throw new InvalidRunbook(where, s.id(), "param '" + param + "' uses unknown template variable '{{" + ref + "}}'");
                    }
                }
            });
        }
    }

    /** A plan built in code (tests): no file, no text. */
    public Runbook(String name, List<StepDefinition> steps) {
        this(name, MINOR, null, null, steps);
    }

    /** The service of a handler or step id: its prefix before the first dot ({@code git} of {@code git.tag-release}). */
    public static String servicePrefix(String id) {
        int dot = id.indexOf('.');
        return dot > 0 ? id.substring(0, dot) : id;
    }

    /** Whether a release of this plan is a proving run (never counted as a release). */
    public boolean proving() {
        return PROVING.equals(kind);
    }

    public Optional<StepDefinition> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** A content hash, recorded in ReleaseStarted so a release can tell which plan it ran. */
    public String hash() {
        String canonical = text;
        if (canonical == null) {
            StringBuilder sb = new StringBuilder(name).append('\n');
            for (StepDefinition s : steps) {
                sb.append(s).append('\n');
            }
            canonical = sb.toString();
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The step output a binding source names: {@code [step id, output]} of {@code git.cherry-pick-fixes.head}. */
    public static String[] bindingSource(String source) {
        int dot = source.lastIndexOf('.');
        return new String[]{source.substring(0, dot), source.substring(dot + 1)};
    }

    /** Every step that must succeed before {@code id} can run. */
    public Set<String> ancestors(String id) {
        return ancestors(id, byId());
    }

    private Map<String, StepDefinition> byId() {
        Map<String, StepDefinition> m = new LinkedHashMap<>();
        steps.forEach(s -> m.put(s.id(), s));
        return m;
    }

    private static Set<String> ancestors(String id, Map<String, StepDefinition> byId) {
        Set<String> out = new HashSet<>();
        List<String> todo = new ArrayList<>(byId.get(id).dependsOn());
        while (!todo.isEmpty()) {
            String d = todo.remove(todo.size() - 1);
            if (out.add(d)) {
                todo.addAll(byId.get(d).dependsOn());
            }
        }
        return out;
    }

    private static void checkAcyclic(String where, Map<String, StepDefinition> byId) {
        Map<String, Integer> state = new HashMap<>(); // 1 = visiting, 2 = done
        for (String id : byId.keySet()) {
            visit(where, id, byId, state, new ArrayList<>());
        }
    }

    private static void visit(String where, String id, Map<String, StepDefinition> byId, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(id);
        if (s != null && s == 2) {
            return;
        }
        path.add(id);
        if (s != null) {
            throw new InvalidRunbook(where, id, "dependency cycle " + String.join(" -> ", path));
        }
        state.put(id, 1);
        for (String dep : byId.get(id).dependsOn()) {
            visit(where, dep, byId, state, path);
        }
        state.put(id, 2);
        path.remove(path.size() - 1);
    }

    /** A runbook that cannot run; the message names the runbook (and file), the step and the problem. */
    public static final class InvalidRunbook extends IllegalArgumentException {
        public InvalidRunbook(String where, String step, String problem) {
            super((where.startsWith("runbook") ? where : "runbook '" + where + "'") + ", step '" + step + "': " + problem);
        }
    }
}
