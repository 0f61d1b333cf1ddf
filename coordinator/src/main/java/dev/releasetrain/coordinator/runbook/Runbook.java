package dev.releasetrain.coordinator.runbook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A release plan: steps and the dependencies between them. Validated on construction (known
 * services, no missing dependency, no cycle), so a release never starts on a broken plan.
 */
public record Runbook(String name, List<StepDefinition> steps) {
    public static final Set<String> SERVICES = Set.of("git", "deploy", "cdn", "notify");

    public Runbook {
        steps = List.copyOf(steps);
        Map<String, StepDefinition> byId = new LinkedHashMap<>();
        for (StepDefinition s : steps) {
            if (byId.put(s.id(), s) != null) {
                throw new InvalidRunbook(name, s.id(), "the step id is used twice");
            }
            if (!SERVICES.contains(s.service())) {
                throw new InvalidRunbook(name, s.id(), "unknown service '" + s.service() + "' (known: " + SERVICES + ")");
            }
        }
        for (StepDefinition s : steps) {
            for (String dep : s.dependsOn()) {
                if (!byId.containsKey(dep)) {
                    throw new InvalidRunbook(name, s.id(), "depends on unknown step '" + dep + "'");
                }
            }
        }
        checkAcyclic(name, byId);
    }

    public Optional<StepDefinition> step(String id) {
        return steps.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** A content hash, recorded in ReleaseStarted so a release can tell which plan it ran. */
    public String hash() {
        StringBuilder canonical = new StringBuilder(name).append('\n');
        for (StepDefinition s : steps) {
            canonical.append(s.id()).append('|').append(s.service()).append('|')
                    .append(String.join(",", s.dependsOn())).append('|').append(new java.util.TreeMap<>(s.params()))
                    .append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkAcyclic(String name, Map<String, StepDefinition> byId) {
        Map<String, Integer> state = new HashMap<>(); // 1 = visiting, 2 = done
        for (String id : byId.keySet()) {
            visit(name, id, byId, state, new ArrayList<>());
        }
    }

    private static void visit(String name, String id, Map<String, StepDefinition> byId, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(id);
        if (s != null && s == 2) {
            return;
        }
        path.add(id);
        if (s != null) {
            throw new InvalidRunbook(name, id, "dependency cycle " + String.join(" -> ", path));
        }
        state.put(id, 1);
        for (String dep : byId.get(id).dependsOn()) {
            visit(name, dep, byId, state, path);
        }
        state.put(id, 2);
        path.remove(path.size() - 1);
    }

    /** A runbook that cannot run; the message names the runbook, the step and the problem. */
    public static final class InvalidRunbook extends IllegalArgumentException {
        public InvalidRunbook(String runbook, String step, String problem) {
            super("runbook '" + runbook + "', step '" + step + "': " + problem);
        }
    }
}
