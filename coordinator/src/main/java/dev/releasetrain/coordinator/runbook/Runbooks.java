package dev.releasetrain.coordinator.runbook;

import java.util.List;
import java.util.Map;

/**
 * Built-in runbooks. {@code proving} is the Foundation's plan: one small but real step per service,
 * in order, to prove the spine end to end until the monthly runbook replaces it.
 */
public final class Runbooks {
    private Runbooks() {
    }

    public static Runbook proving() {
        return new Runbook("proving", List.of(
                new StepDefinition("git.resolve-head", "git", List.of(), Map.of()),
                new StepDefinition("deploy.list-pods", "deploy", List.of("git.resolve-head"), Map.of()),
                new StepDefinition("cdn.read-distribution", "cdn", List.of("deploy.list-pods"), Map.of()),
                new StepDefinition("notify.post-message", "notify", List.of("cdn.read-distribution"), Map.of())));
    }

    public static Runbook named(String name) {
        if ("proving".equals(name)) {
            return proving();
        }
        throw new Runbook.InvalidRunbook(name, "-", "no built-in runbook of that name (known: proving)");
    }
}
