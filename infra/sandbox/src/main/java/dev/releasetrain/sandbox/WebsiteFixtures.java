package dev.releasetrain.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The website repository {@code PostHog/posthog.com} as the GitHub stand-in hosts it (no local git remote):
 * a few files of the real layout, among them the release post of the previous minor,
 * {@code contents/blog/posthog-array-1-28-0.md} (published by {@link WebsiteStandIn} at
 * {@code /blog/posthog-array-1-28-0}). Merging one of its pull requests needs one approving review.
 */
public final class WebsiteFixtures {
    public static final String REPOSITORY = "posthog.com";
    public static final String FULL_NAME = GitHubStandIn.OWNER + "/" + REPOSITORY;
    public static final String POSTS_DIR = "contents/blog";
    public static final int REQUIRED_APPROVALS = 1;

    private WebsiteFixtures() {
    }

    public static String defaultBranch() {
        return GitFixtures.defaultBranch(REPOSITORY);
    }

    /** The files of the repository's default branch: {@code fixtures/posthog.com/} (see {@link FixtureFiles}). */
    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String path : List.of("README.md", POSTS_DIR + "/posthog-array-1-28-0.md")) {
            files.put(path, FixtureFiles.read(REPOSITORY + "/" + path));
        }
        return files;
    }

    static void host(GitHubStandIn github) {
        github.hosted.host(FULL_NAME, defaultBranch(), files(), REQUIRED_APPROVALS);
    }
}
