package dev.releasetrain.sandbox;

import java.util.LinkedHashMap;
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

    static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("README.md", """
                # PostHog.com

                The website, docs and handbook of PostHog, built with Gatsby.
                """);
        files.put(POSTS_DIR + "/posthog-array-1-28-0.md", """
                ---
                date: 2021-08-30
                title: Array 1.28.0
                rootPage: /blog
                sidebar: Blog
                showTitle: true
                hideAnchor: true
                category: PostHog news
                tags: ["Release notes"]
                ---

                PostHog 1.28.0 is out.
                """);
        return files;
    }

    static void host(GitHubStandIn github) {
        github.hosted.host(FULL_NAME, defaultBranch(), files(), REQUIRED_APPROVALS);
    }
}
