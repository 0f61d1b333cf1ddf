package dev.releasetrain.git;

import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.bump-chart}: in {@code charts-clickhouse}, branch {@code bump-[v]} from the default branch with one
 * commit ({@code Update PostHog App to [v]}): in {@code charts/posthog/Chart.yaml} {@code appVersion} to [v] and the
 * chart {@code version} bumped by param {@code bumpPart} (major, minor or patch; default the configured part,
 * {@code minor}); in {@code values.yaml} {@code image.default} to {@code ":[imageTag]"} and the example of the image
 * tag comment; in {@code ALL_VALUES.md} both badges and the {@code image.default} row. Then a pull request to the
 * default branch, labelled with param {@code label} (default the configured label, {@code bump minor}), its body
 * linking the release. Outputs {@code pullRequest}, {@code url}, {@code branch}, {@code chartVersion}.
 *
 * <p>The commit is deterministic (bot identity, release time). A second run reuses an open or merged pull request
 * from {@code bump-[v]}; an existing branch is reused when its head is exactly this bump of its parent, else the
 * step fails (not retryable) rather than open a pull request of someone else's commit.
 */
@Singleton
public class BumpChart extends GitStep {

    @Inject
    public BumpChart(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.bump-chart";
    }

    record Bump(Map<String, String> files, String chartVersion) {
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String imageTag = ctx.params().getOrDefault("imageTag", "release-" + version);
        String branch = GitSettings.render(settings.chartBranch(), version);
        String base = settings.charts().defaultBranch();
        PersonIdent bot = Release.bot(settings, Release.time(ctx, "releaseTime", "releaseDate"));
        String message = "Update PostHog App to " + version;
        String part = bumpPart(ctx);
        String label = Optional.ofNullable(ctx.params().get("label")).map(String::strip).filter(l -> !l.isEmpty())
                .orElse(settings.chartLabel());
        String chartVersion = null;
        String repoName = settings.charts().github();
        GHRepository repo = githubRepository(repoName);
        Optional<GHPullRequest> opened;
        try {
            opened = PullRequests.existing(repo, branch, base);
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot list the pull requests from " + branch + " in " + repoName, e);
        }
        try (Workspace ws = open(settings.charts())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS && chartVersion == null; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                Optional<ObjectId> existing = Workspace.id(refs, heads(branch));
                if (existing.isPresent()) {
                    ws.fetch(heads(branch));
                    RevCommit tip = ws.commit(existing.get());
                    Bump expected = tip.getParentCount() == 1 ? bump(ws, tip.getParent(0), version, imageTag, part) : null;
                    if (expected == null || !tip.getShortMessage().equals(message) || !matches(ws, tip, expected)) {
                        throw new StepFailure("branch " + branch + " already exists in " + Workspace.display(ws.url())
                                + " at " + tip.name() + ", which is not the chart bump to " + version + " of its parent; "
                                + "remove the branch or open the pull request by hand", false);
                    }
                    chartVersion = expected.chartVersion();
                    break;
                }
                ObjectId head = require(refs, heads(base), ws);
                ws.fetch(heads(base));
                if (opened.isPresent() && isMerged(opened.get())) {
                    // merged and its branch deleted: the bump is on the default branch now
                    String chartPath = settings.chartDir() + "/Chart.yaml";
                    chartVersion = FileEdits.topLevel(ws.read(head, chartPath).orElseThrow(() -> missing(chartPath, head)),
                            "version", chartPath);
                    break;
                }
                Bump bump = bump(ws, head, version, imageTag, part);
                ws.checkout(head);
                bump.files().forEach(ws::write);
                RevCommit commit = ws.commitFiles(List.copyOf(bump.files().keySet()), message, bot, bot);
                if (ws.push(commit, heads(branch), ObjectId.zeroId()) == Workspace.Pushed.DONE) {
                    chartVersion = bump.chartVersion();
                }
            }
            if (chartVersion == null) {
                throw leaseLost(heads(branch), ws);
            }
        }
        try {
            String releaseUrl = githubRepository(settings.app().github()).getHtmlUrl() + "/releases/tag/" + version;
            String body = "Bumps the PostHog app to [" + version + "](" + releaseUrl + "):\n\n"
                    + "- `appVersion` " + version + ", chart `version` " + chartVersion + " (" + part + " bump)\n"
                    + "- `image.default` `:" + imageTag + "`\n\n"
                    + "Merge once the `" + imageTag + "` image is published.\n";
            GHPullRequest pr = PullRequests.ensure(repo, branch, base, message, body, List.of(label));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("pullRequest", pr.getNumber());
            out.put("url", pr.getHtmlUrl().toString());
            out.put("branch", branch);
            out.put("chartVersion", chartVersion);
            return StepOutcome.succeeded(out);
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot open the chart pull request from " + branch + " in " + repoName, e);
        }
    }

    /** The bumped files (path to new content) and chart version, computed from {@code base}'s files. */
    Bump bump(Workspace ws, ObjectId base, String version, String imageTag, String part) {
        String dir = settings.chartDir();
        String chartPath = dir + "/Chart.yaml";
        String valuesPath = dir + "/values.yaml";
        String allPath = dir + "/ALL_VALUES.md";
        String chart = ws.read(base, chartPath).orElseThrow(() -> missing(chartPath, base));
        String values = ws.read(base, valuesPath).orElseThrow(() -> missing(valuesPath, base));
        String all = ws.read(base, allPath).orElseThrow(() -> missing(allPath, base));
        String appVersion = FileEdits.topLevel(chart, "appVersion", chartPath);
        if (appVersion.equals(version)) {
            throw new StepFailure(chartPath + " on " + base.name() + " already has appVersion " + version
                    + " and there is no open or merged pull request from " + GitSettings.render(settings.chartBranch(), version)
                    + ": nothing to bump", false);
        }
        String chartVersion = FileEdits.bump(FileEdits.topLevel(chart, "version", chartPath), SemVer.Part.of(part));
        Map<String, String> files = new LinkedHashMap<>();
        files.put(chartPath, FileEdits.setTopLevel(FileEdits.setTopLevel(chart, "version", chartVersion, chartPath),
                "appVersion", version, chartPath));
        files.put(valuesPath, FileEdits.chartValues(values, imageTag, valuesPath));
        files.put(allPath, FileEdits.allValues(all, chartVersion, version, imageTag, allPath));
        return new Bump(files, chartVersion);
    }

    /** Param {@code bumpPart} (major, minor, patch), else the configured part. */
    String bumpPart(StepContext ctx) {
        String given = ctx.params().get("bumpPart");
        if (given == null || given.isBlank()) {
            return settings.chartBumpPart();
        }
        String part = given.strip().toLowerCase(Locale.ROOT);
        if (!List.of("major", "minor", "patch").contains(part)) {
            throw new StepFailure("parameter 'bumpPart' must be major, minor or patch, not '" + given + "'", false);
        }
        return part;
    }

    private static boolean isMerged(GHPullRequest pr) {
        try {
            return pr.isMerged();
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot read pull request #" + pr.getNumber(), e);
        }
    }

    private static boolean matches(Workspace ws, RevCommit tip, Bump expected) {
        for (Map.Entry<String, String> f : expected.files().entrySet()) {
            if (!ws.read(tip, f.getKey()).equals(Optional.of(f.getValue()))) {
                return false;
            }
        }
        return true;
    }

    private static StepFailure missing(String path, ObjectId commit) {
        return new StepFailure(path + " not found in " + commit.name(), false);
    }
}
