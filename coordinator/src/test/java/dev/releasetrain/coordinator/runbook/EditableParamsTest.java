package dev.releasetrain.coordinator.runbook;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.releasetrain.coordinator.runbook.RunbookDefinitionsTest.builtIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code editable: [..]} declares the parameters a retry may change: none unless declared; the built-in plans
 * declare them where a person may know better than the plan (labels, tags, paths, a ref); a gate declares none;
 * a malformed declaration stops the runbook naming the step.
 */
class EditableParamsTest {

    @Test
    void theBuiltInPlansDeclareWhatARetryMayEditAndNothingElse() throws Exception {
        Runbook minor = builtIn("monthly-minor");
        assertEquals(Set.of("label", "mergedAfter"), minor.step("git.cherry-pick-fixes").orElseThrow().editable());
        assertEquals(Set.of("label", "mergedAfter"), minor.step("git.cherry-pick-late-fixes").orElseThrow().editable());
        assertEquals(Set.of("paths"), minor.step("cdn.invalidate").orElseThrow().editable());
        assertEquals(Set.of(), minor.step("git.tag-release").orElseThrow().editable(), "undeclared: nothing editable");
        assertEquals(Set.of(), minor.step("break-the-release").orElseThrow().editable());
        Runbook patch = builtIn("patch");
        assertEquals(Set.of("from"), patch.step("git.cut-release-branch").orElseThrow().editable());
        assertEquals(Set.of("imageTag", "bumpPart", "label"), patch.step("git.bump-chart").orElseThrow().editable());
        for (Runbook r : List.of(minor, patch, builtIn("proving"))) {
            r.steps().forEach(s -> assertTrue(s.editable().stream().allMatch(k -> k.matches("[A-Za-z][A-Za-z0-9._-]*")), s.id()));
        }
    }

    @Test
    void aMalformedDeclarationIsRefusedNamingTheStep() {
        String head = "name: x\nsteps:\n";
        Runbook.InvalidRunbook gate = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("x.yaml",
                head + "  - id: qa\n    gate: { approvers: approver }\n    editable: [note]\n"));
        assertTrue(gate.getMessage().contains("qa") && gate.getMessage().contains("gate"), gate.getMessage());
        Runbook.InvalidRunbook notAList = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("x.yaml",
                head + "  - id: git.a\n    editable: ref\n"));
        assertTrue(notAList.getMessage().contains("git.a") && notAList.getMessage().contains("list"), notAList.getMessage());
        Runbook.InvalidRunbook badName = assertThrows(Runbook.InvalidRunbook.class, () -> RunbookParser.parse("x.yaml",
                head + "  - id: git.a\n    editable: [\"a b\"]\n"));
        assertTrue(badName.getMessage().contains("'a b'"), badName.getMessage());
        assertEquals(Set.of("ref"), RunbookParser.parse("x.yaml", head + "  - id: git.a\n    editable: [ref]\n")
                .step("git.a").orElseThrow().editable());
    }
}
