package dev.releasetrain.launcher;

import dev.releasetrain.sandbox.AppSource;
import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's checks read the sandbox, not a release's outputs (they get none): on a sandbox where nothing was
 * released every check fails, and each check follows what is actually in the stand-ins.
 */
class EffectsTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void onASandboxWhereNothingWasReleasedEveryCheckFails() {
        List<Effects.Check> monthly = Effects.monthly(sandbox, "1.29.0");
        assertEquals(10, monthly.size(), monthly.toString());
        assertTrue(monthly.stream().noneMatch(Effects.Check::ok), monthly.toString());
        List<Effects.Check> patch = Effects.patch(sandbox, "1.29.1", "1.29.0",
                AppSource.resolve(sandbox.gitRepositoryPath(GitFixtures.POSTHOG), "master"), "a fix");
        assertTrue(patch.stream().noneMatch(Effects.Check::ok), patch.toString());
    }

    @Test
    void theReleaseBranchCheckReadsVersionPyOnTheBranchNotTheBranchName() {
        Path app = sandbox.gitRepositoryPath(GitFixtures.POSTHOG);
        AppSource.commit(app, "release-1.31.0", "master", java.util.Map.of("posthog/settings/x.py", "X = 1\n"), "no bump");
        Effects.Check unbumped = Effects.monthly(sandbox, "1.31.0").get(0);
        assertFalse(unbumped.ok(), unbumped.toString());
        assertTrue(unbumped.what().contains("its posthog/version.py says 1.28.3"), unbumped.what());

        AppSource.commitVersion(app, "release-1.32.0", "master", "1.32.0");
        Effects.Check bumped = Effects.monthly(sandbox, "1.32.0").get(0);
        assertTrue(bumped.ok(), bumped.toString());
    }

    @Test
    void anAnnouncementCountsInTheCommunityWorkspaceOnlyAndNamesExactlyItsVersion() throws Exception {
        post(sandbox.slackToken(), "#team-releases", "PostHog 1.33.1 is out"); // the team workspace: not an announcement
        assertEquals(List.of(), Effects.announcements(sandbox, "1.33.1"));
        post(sandbox.slackCommunityToken(), "#announcements", "PostHog 1.33.10 is out");
        assertEquals(List.of(), Effects.announcements(sandbox, "1.33.1"));
        post(sandbox.slackCommunityToken(), "#announcements", "PostHog 1.33.1 is out");
        assertEquals(List.of("PostHog 1.33.1 is out"), Effects.announcements(sandbox, "1.33.1"));
    }

    private static void post(String token, String channel, String text) throws Exception {
        String body = "{\"channel\":\"" + channel + "\",\"text\":\"" + text + "\"}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sandbox.slackApiUrl()
                        + "chat.postMessage")).header("Content-Type", "application/json; charset=utf-8")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("\"ok\":true"), r.body());
    }
}
