package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A plan as a person reads it: diffs coloured only when asked (on a terminal), the not-planned steps named. */
class PlanTextTest {
    static final String PLAN = """
            {"version": "1.29.0", "kind": "minor", "runbook": "monthly-minor", "previousVersion": "1.28.3", "owner": "alice",
             "dates": {"freeze": "2026-12-23T14:00:00Z", "breakTheRelease": "2026-12-23T16:00:00Z", "releaseDay": "2026-12-28T14:00:00Z"},
             "steps": [
               {"step": "git.bump-version", "service": "git", "params": {"releaseBranch": "release-1.29.0"}, "planned": true,
                "note": "commit \\"chore: Bump version to 1.29.0\\" on abc",
                "plan": {"creates": [], "picks": [], "changes": [{"repository": "PostHog/posthog", "path": "posthog/version.py",
                         "diff": "--- a/posthog/version.py\\n+++ b/posthog/version.py\\n@@ -1 +1 @@\\n-VERSION = \\"1.28.3\\"\\n+VERSION = \\"1.29.0\\"\\n"}]}},
               {"step": "deploy.upgrade-playground", "service": "deploy", "params": {}, "planned": false,
                "note": "not planned: the deploy service has no read-only plan"}],
             "changelog": null, "notPlanned": ["deploy.upgrade-playground"]}
            """;

    @Test
    void diffsAreColouredOnlyOnATerminal() throws Exception {
        var plan = new ObjectMapper().readTree(PLAN);
        String plain = PlanText.render(plan, false);
        String coloured = PlanText.render(plan, true);

        assertTrue(plain.contains("      +VERSION = \"1.29.0\""), plain);
        assertTrue(plain.contains("      -VERSION = \"1.28.3\""), plain);
        assertFalse(plain.contains("\u001b["), plain);
        assertTrue(coloured.contains("\u001b[32m+VERSION = \"1.29.0\"\u001b[0m"), coloured);
        assertTrue(coloured.contains("\u001b[31m-VERSION = \"1.28.3\"\u001b[0m"), coloured);
        assertTrue(plain.contains("2. deploy.upgrade-playground [deploy]  NOT PLANNED"), plain);
        assertTrue(plain.contains("Not planned (1): deploy.upgrade-playground"), plain);
    }
}
