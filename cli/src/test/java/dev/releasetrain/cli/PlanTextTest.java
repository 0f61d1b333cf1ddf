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
                "note": "not planned: the deploy service at http://127.0.0.1:9/plan could not be reached"}],
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

    static final String SERVICES = """
            {"version": "1.29.0", "kind": "minor", "runbook": "monthly-minor", "previousVersion": "1.28.3", "owner": "alice",
             "dates": {}, "steps": [
               {"step": "notify.draft-release-post", "service": "notify", "params": {}, "planned": true, "note": "would write",
                "plan": {"post": {"repository": "PostHog/posthog.com", "branch": "release-post-1.29.0",
                         "path": "contents/blog/posthog-array-1-29-0.md", "pullRequestTitle": "Array 1.29.0: release post",
                         "markdown": "---\\ntitle: Array 1.29.0\\n---\\n\\n## Highlights\\n\\n- [Funnels](https://x/pull/5) (#5)\\n",
                         "url": "https://posthog.com/blog/posthog-array-1-29-0"}}},
               {"step": "notify.announce-release", "service": "notify", "params": {}, "planned": true, "note": "would post",
                "plan": {"message": {"workspace": "community", "channel": "#announcements", "template": "announce-release",
                         "text": ":rocket: *PostHog 1.29.0 is out!*\\nRead what is new"}}},
               {"step": "cdn.invalidate", "service": "cdn", "params": {}, "planned": true, "note": "would invalidate",
                "plan": {"distribution": {"id": "E2SANDBOX", "domainName": "d1.cloudfront.net"}, "paths": ["/*", "/versions.json"]}},
               {"step": "deploy.upgrade-playground", "service": "deploy", "params": {}, "planned": true, "note": "would upgrade",
                "plan": {"images": [{"image": "posthog/posthog", "tag": "release-1.29.0-unstable", "exists": false}],
                         "deploy": {"namespace": "posthog", "release": "posthog", "chart": "posthog-30.1.0",
                                    "image": "posthog/posthog:release-1.29.0-unstable", "deployedRevision": 3,
                                    "deployedChart": "posthog-30.1.0", "deployedStatus": "deployed", "changed": true,
                                    "revision": 4, "changedValues": ["image"]},
                         "playgroundHeldBy": {"release": "1.28.9", "until": "2026-12-23T14:05:00Z", "expired": false}}}],
             "changelog": null, "notPlanned": []}
            """;

    @Test
    void theServicesPlansAreShownReadably() throws Exception {
        var plan = new ObjectMapper().readTree(SERVICES);
        String plain = PlanText.render(plan, false);
        String coloured = PlanText.render(plan, true);

        assertTrue(plain.contains("    release post contents/blog/posthog-array-1-29-0.md on branch release-post-1.29.0 of "
                + "PostHog/posthog.com, pull request \"Array 1.29.0: release post\", published at "
                + "https://posthog.com/blog/posthog-array-1-29-0"), plain);
        assertTrue(plain.contains("      | ## Highlights\n      | \n      | - [Funnels](https://x/pull/5) (#5)"), plain);
        assertTrue(plain.contains("    Slack message to #announcements (community workspace):\n"
                + "      > :rocket: *PostHog 1.29.0 is out!*\n      > Read what is new"), plain);
        assertTrue(plain.contains("    invalidates /*, /versions.json on CloudFront distribution E2SANDBOX (d1.cloudfront.net)"), plain);
        assertTrue(plain.contains("    image posthog/posthog:release-1.29.0-unstable not in the registry yet"), plain);
        assertTrue(plain.contains("    deploys chart posthog-30.1.0 to posthog/posthog, image posthog/posthog:release-1.29.0-unstable"), plain);
        assertTrue(plain.contains("    new revision 4 after revision 3 (posthog-30.1.0, deployed); values differ at image"), plain);
        assertTrue(plain.contains("    the playground is held by release 1.28.9 until 2026-12-23T14:05:00Z"), plain);
        assertFalse(plain.contains("\u001b["), plain);
        assertTrue(coloured.contains("\u001b[1m      | ## Highlights\u001b[0m"), coloured);
        assertTrue(coloured.contains("\u001b[33m    image posthog/posthog:release-1.29.0-unstable not in the registry yet\u001b[0m"), coloured);
    }
}
