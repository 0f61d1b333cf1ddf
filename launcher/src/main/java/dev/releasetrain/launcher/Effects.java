package dev.releasetrain.launcher;

import dev.releasetrain.sandbox.CloudFrontStandIn;
import dev.releasetrain.sandbox.GitFixtures;
import dev.releasetrain.sandbox.GitHubStandIn;
import dev.releasetrain.sandbox.Images;
import dev.releasetrain.sandbox.RegistryStandIn;
import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SlackStandIn;
import dev.releasetrain.sandbox.WebsiteFixtures;
import dev.releasetrain.sandbox.WebsiteStandIn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the demo checks after a release: every effect read from the sandbox itself (the git remotes, the GitHub
 * stand-in's pull requests and hosted website repository, the registry, the playground, CloudFront, Slack), never
 * from the steps' own outputs, so a step that says it did something it did not is caught.
 */
final class Effects {

    /** One check: what was looked at and found, and whether it is as the release needs it. */
    record Check(String what, boolean ok) {
    }

    static final String APP = GitHubStandIn.OWNER + "/" + GitFixtures.POSTHOG;
    static final String CHARTS = GitHubStandIn.OWNER + "/" + GitFixtures.CHARTS;
    static final String CHART_FILE = "charts/posthog/Chart.yaml";
    static final String VERSIONS_FILE = "posthog/versions.json";

    private final Sandbox sandbox;
    private final List<Check> checks = new ArrayList<>();

    private Effects(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** The monthly runbook's effects of release {@code version}. */
    static List<Check> monthly(Sandbox sandbox, String version) {
        Effects e = new Effects(sandbox);
        String branch = "release-" + version;
        e.releaseBranchAndTag(version, branch);
        e.chartPullRequest(version, "bump minor", 1);
        e.syncPullRequest(version);
        String playground = sandbox.playground().reportedVersion();
        e.add("playground: reports version " + playground + " (posthog/version.py of "
                + sandbox.playground().deployedCommit().map(Effects::shortId).orElse("an unknown commit")
                + ", the commit the image posthog-web serves was built from)", version.equals(playground));
        e.invalidation(version);
        e.releasePost(version);
        e.announcement(version);
        return e.checks;
    }

    /**
     * The patch runbook's effects of release {@code version}, cut from {@code previous}'s tag, with the change of
     * {@code fixCommit} (a commit of the app's default branch, merged after that tag).
     */
    static List<Check> patch(Sandbox sandbox, String version, String previous, String fixCommit, String fixTitle) {
        Effects e = new Effects(sandbox);
        String branch = "release-" + version;
        e.releaseBranchAndTag(version, branch);
        String tag = "refs/tags/" + version;
        String cutFrom = SandboxFacts.commit(sandbox, GitFixtures.POSTHOG, "refs/tags/" + previous);
        boolean fixed = SandboxFacts.hasChangeOf(sandbox, GitFixtures.POSTHOG, fixCommit, tag);
        boolean notBefore = !SandboxFacts.hasChangeOf(sandbox, GitFixtures.POSTHOG, fixCommit, "refs/tags/" + previous);
        e.add("git: tag " + version + " contains the fix \"" + fixTitle + "\" (" + shortId(fixCommit) + " on "
                        + sandbox.gitDefaultBranch(GitFixtures.POSTHOG) + ", merged after tag " + previous
                        + ") and descends from tag " + previous,
                fixed && notBefore && SandboxFacts.reachable(sandbox, GitFixtures.POSTHOG, cutFrom, tag));
        Optional<RegistryStandIn.Tag> image = sandbox.registry().tag(Images.POSTHOG, "release-" + version);
        String tagCommit = SandboxFacts.commit(sandbox, GitFixtures.POSTHOG, tag);
        e.add("registry: posthog/posthog:release-" + version + " built from "
                        + image.map(RegistryStandIn.Tag::commit).map(Effects::shortId).orElse("nothing"),
                image.isPresent() && tagCommit != null && tagCommit.equals(image.get().commit()));
        e.chartPullRequest(version, "bump patch", 2);
        e.syncPullRequest(version);
        e.invalidation(version);
        e.announcement(version);
        return e.checks;
    }

    /**
     * Both entries on the default branch's versions.json, the newer first, and one announcement each: what
     * a monthly release followed by its patch leave together.
     */
    static List<Check> both(Sandbox sandbox, String minor, String patch) {
        Effects e = new Effects(sandbox);
        String master = sandbox.gitDefaultBranch(GitFixtures.POSTHOG);
        List<String> versions = SandboxFacts.versionsJson(sandbox, master);
        int p = versions.indexOf(patch);
        int m = versions.indexOf(minor);
        e.add("git: " + master + "'s " + VERSIONS_FILE + " lists " + String.join(", ", versions.subList(0, Math.min(4, versions.size())))
                + (versions.size() > 4 ? ", ..." : ""), p == 0 && m == 1);
        long minorAnnounced = announcements(sandbox, minor).size();
        long patchAnnounced = announcements(sandbox, patch).size();
        e.add("slack: " + minorAnnounced + " announcement of " + minor + " and " + patchAnnounced + " of " + patch
                + " in the community workspace's #announcements", minorAnnounced == 1 && patchAnnounced == 1);
        return e.checks;
    }

    private void releaseBranchAndTag(String version, String branch) {
        String head = SandboxFacts.branchHead(sandbox, GitFixtures.POSTHOG, branch);
        String said = head == null ? null : SandboxFacts.appVersion(sandbox, head);
        add("git: " + branch + " pushed" + (head == null ? ": missing" : " at " + shortId(head) + ", its posthog/version.py says " + said),
                version.equals(said));
        String tagMessage = SandboxFacts.tagMessage(sandbox, GitFixtures.POSTHOG, version);
        String tagged = SandboxFacts.commit(sandbox, GitFixtures.POSTHOG, "refs/tags/" + version);
        add("git: annotated tag " + version + " \"" + tagMessage + "\" on " + branch + " at " + shortId(tagged),
                ("Version " + version).equals(tagMessage) && SandboxFacts.reachable(sandbox, GitFixtures.POSTHOG, tagged, branch)
                        && version.equals(SandboxFacts.appVersion(sandbox, tagged)));
    }

    /** The chart PR: from bump-[v] to the default branch, the label, the chart files, the chart version bumped at {@code part} (1 minor, 2 patch). */
    private void chartPullRequest(String version, String label, int part) {
        String branch = "bump-" + version;
        List<GitHubStandIn.PullRequest> prs = SandboxFacts.pullRequests(sandbox, CHARTS, branch);
        String base = sandbox.gitDefaultBranch(GitFixtures.CHARTS);
        List<String> files = SandboxFacts.changedFiles(sandbox, GitFixtures.CHARTS, branch);
        String[] before = SandboxFacts.chartVersions(sandbox, branch + "~1");
        String[] after = SandboxFacts.chartVersions(sandbox, branch);
        boolean one = prs.size() == 1;
        GitHubStandIn.PullRequest pr = one ? prs.get(0) : null;
        add("github: chart PR " + (one ? "#" + pr.number() + " " + branch + " -> " + pr.base() + ", labels " + pr.labels()
                        : prs.size() + " PRs from " + branch) + ", changes " + files
                        + "; chart " + before[0] + " -> " + after[0] + ", appVersion " + after[1],
                one && base.equals(pr.base()) && pr.labels().contains(label) && files.contains(CHART_FILE)
                        && version.equals(after[1]) && bumped(before[0], after[0], part));
    }

    /**
     * The sync PR: from sync-[v] to the app's default branch, changing versions.json to list the version first, merged;
     * the default branch's versions.json then lists the version first.
     */
    private void syncPullRequest(String version) {
        String branch = "sync-" + version;
        List<GitHubStandIn.PullRequest> prs = SandboxFacts.pullRequests(sandbox, APP, branch);
        String base = sandbox.gitDefaultBranch(GitFixtures.POSTHOG);
        List<String> files = SandboxFacts.changedFiles(sandbox, GitFixtures.POSTHOG, branch);
        List<String> listed = SandboxFacts.versionsJson(sandbox, "refs/heads/" + branch);
        boolean one = prs.size() == 1;
        GitHubStandIn.PullRequest pr = one ? prs.get(0) : null;
        add("github: sync PR " + (one ? "#" + pr.number() + " " + branch + " -> " + pr.base() : prs.size() + " PRs from " + branch)
                        + ", changes " + files + " (first entry " + (listed.isEmpty() ? "none" : listed.get(0)) + ")"
                        + (one ? (pr.merged() ? ", merged" : ", not merged") : ""),
                one && base.equals(pr.base()) && files.contains(VERSIONS_FILE) && !listed.isEmpty()
                        && version.equals(listed.get(0)) && pr.merged());
        List<String> onBase = SandboxFacts.versionsJson(sandbox, base);
        add("git: " + base + "'s " + VERSIONS_FILE + " lists " + (onBase.isEmpty() ? "nothing" : onBase.get(0)) + " first",
                !onBase.isEmpty() && version.equals(onBase.get(0)));
    }

    /** One completed invalidation for the release, created once the sync PR was merged (else the CDN caches the old file). */
    private void invalidation(String version) {
        List<CloudFrontStandIn.Invalidation> mine = sandbox.invalidations().stream()
                .filter(i -> i.callerReference().contains("/" + version + "/")).toList();
        Instant now = Instant.now();
        boolean completed = mine.size() == 1 && "Completed".equals(mine.get(0).status(now));
        Optional<Instant> merged = SandboxFacts.pullRequests(sandbox, APP, "sync-" + version).stream()
                .filter(GitHubStandIn.PullRequest::merged).map(GitHubStandIn.PullRequest::mergedAt).findFirst();
        boolean afterMerge = completed && merged.isPresent() && !mine.get(0).createTime().isBefore(merged.get());
        add("cloudfront: " + mine.size() + " invalidation for " + version
                + (mine.size() == 1 ? " (" + mine.get(0).id() + " of " + mine.get(0).paths() + ", " + mine.get(0).status(now)
                + ", created " + (afterMerge ? "after" : "NOT after") + " the sync PR was merged)" : ""), afterMerge);
    }

    /** The post PR merged, the post on the website repository's default branch, and live on the public site. */
    private void releasePost(String version) {
        List<GitHubStandIn.PullRequest> prs = SandboxFacts.pullRequests(sandbox, WebsiteFixtures.FULL_NAME, "release-post-" + version);
        Optional<Map.Entry<String, String>> post = SandboxFacts.websitePost(sandbox, version);
        boolean merged = prs.size() == 1 && prs.get(0).merged();
        add("website: release post PR " + (prs.size() == 1 ? "#" + prs.get(0).number() + (merged ? " merged" : " not merged")
                        : "missing") + "; " + post.map(p -> p.getKey() + " on " + WebsiteFixtures.defaultBranch() + " mentions " + version)
                        .orElse("no post mentioning " + version + " on " + WebsiteFixtures.defaultBranch()),
                merged && post.isPresent());
        Optional<String> url = post.flatMap(p -> WebsiteStandIn.urlPath(p.getKey())).map(path -> sandbox.websiteUrl() + path);
        SandboxFacts.Page page = url.map(SandboxFacts::get).orElse(new SandboxFacts.Page(0, ""));
        boolean live = page.status() == 200 && page.body().contains(version);
        add("website: the post " + url.orElse("(no URL)") + " answers " + (page.status() == 0 ? "nothing" : page.status())
                + (live ? " with " + version + " in it" : ""), live);
    }

    private void announcement(String version) {
        long n = announcements(sandbox, version).size();
        add("slack: " + n + " announcement of " + version + " in the community workspace's #announcements", n == 1);
    }

    /**
     * The messages of the community workspace's #announcements (where users read them) that name {@code version}
     * (not a longer version it is a prefix of).
     */
    static List<String> announcements(Sandbox sandbox, String version) {
        Pattern named = Pattern.compile("(?<![0-9.])" + Pattern.quote(version) + "(?![0-9])");
        return sandbox.slackMessages(SlackStandIn.COMMUNITY, "announcements").stream().map(SlackStandIn.Message::text)
                .filter(t -> named.matcher(t).find()).toList();
    }

    /** Whether {@code after} is {@code before} bumped at {@code part} (0 major, 1 minor, 2 patch): lower parts reset. */
    static boolean bumped(String before, String after, int part) {
        if (before == null || after == null) {
            return false;
        }
        String[] b = before.split("\\.");
        String[] a = after.split("\\.");
        if (a.length != 3 || b.length != 3) {
            return false;
        }
        try {
            for (int i = 0; i < 3; i++) {
                int expected = i < part ? Integer.parseInt(b[i]) : i == part ? Integer.parseInt(b[i]) + 1 : 0;
                if (Integer.parseInt(a[i]) != expected) {
                    return false;
                }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void add(String what, boolean ok) {
        checks.add(new Check(what, ok));
    }

    static String shortId(String commit) {
        return commit == null ? "none" : commit.substring(0, Math.min(10, commit.length()));
    }
}
