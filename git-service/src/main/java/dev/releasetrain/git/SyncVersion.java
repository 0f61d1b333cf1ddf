package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.sync-version}: branch {@code sync-[v]} from the default branch with the version-bump commit(s)
 * ({@code bumpCommit}, comma-separated) cherry-picked onto it (with the {@code (cherry picked from commit ...)}
 * trailer), and a pull request to the default branch; merging it tells self-hosted instances that [v] exists.
 * Outputs {@code pullRequest}, {@code url}, {@code branch}.
 *
 * <p>The picks are deterministic (bot committer at the release time). A second run reuses an open or merged pull
 * request from {@code sync-[v]}, and an existing branch whose commits carry the trailers of all the bump commits;
 * a branch without them is a clear failure. A default branch already at a newer version gets the bump by what it
 * means ({@link VersionSync}); any other conflict fails the step, not retryable, naming the files.
 */
@Singleton
public class SyncVersion extends GitStep {

    @Inject
    public SyncVersion(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.sync-version";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String branch = GitSettings.render(settings.syncBranch(), version);
        String releaseBranch = Release.releaseBranch(ctx, settings, version);
        String base = settings.app().defaultBranch();
        List<ObjectId> bumps = new ArrayList<>();
        for (String id : ctx.param("bumpCommit").split(",")) {
            if (!id.isBlank()) {
                bumps.add(CollectChangelog.parseId(id, "bumpCommit"));
            }
        }
        PersonIdent bot = Release.bot(settings, Release.time(ctx, "releaseTime", "releaseDate"));
        String repoName = settings.app().github();
        GHRepository repo = githubRepository(repoName);
        Optional<GHPullRequest> opened;
        try {
            opened = PullRequests.existing(repo, branch, base);
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot list the pull requests from " + branch + " in " + repoName, e);
        }
        if (opened.isEmpty()) {
            pushBranch(version, branch, releaseBranch, bumps, bot);
        }
        try {
            String title = "chore: Bump version to " + version + " on " + base;
            String body = "Brings the version bump of " + version + " (" + String.join(", ", bumps.stream().map(ObjectId::name).toList())
                    + ", from `" + releaseBranch + "`) to `" + base + "`: `posthog/version.py` and `posthog/versions.json`.\n\n"
                    + "Merging it tells self-hosted instances that " + version + " is out.\n";
            GHPullRequest pr = opened.isPresent() ? opened.get() : PullRequests.ensure(repo, branch, base, title, body, List.of());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("pullRequest", pr.getNumber());
            out.put("url", pr.getHtmlUrl().toString());
            out.put("branch", branch);
            return StepOutcome.succeeded(out);
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot open the version sync pull request from " + branch + " in " + repoName, e);
        }
    }

    private void pushBranch(String version, String branch, String releaseBranch, List<ObjectId> bumps, PersonIdent bot) {
        String master = heads(settings.app().defaultBranch());
        try (Workspace ws = open(settings.app())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                List<String> wanted = new ArrayList<>();
                refs.keySet().stream().filter(r -> r.equals(master) || r.equals(heads(branch)) || r.equals(heads(releaseBranch))
                        || r.startsWith(settings.recordRefs() + version + "/")).forEach(wanted::add);
                ws.fetch(wanted);
                ObjectId masterHead = require(refs, master, ws);
                for (ObjectId bump : bumps) {
                    if (!ws.has(bump)) {
                        throw new StepFailure("bump commit " + bump.name() + " is not in " + Workspace.display(ws.url())
                                + " (looked at " + wanted + ")", false);
                    }
                }
                Optional<ObjectId> existing = Workspace.id(refs, heads(branch));
                if (existing.isPresent()) {
                    Map<ObjectId, ObjectId> picked = Picks.picked(ws, existing.get(), masterHead);
                    if (!picked.keySet().containsAll(bumps)) {
                        throw new StepFailure("branch " + branch + " already exists in " + Workspace.display(ws.url())
                                + " at " + existing.get().name() + " without the pick of " + bumps
                                + "; remove it or open the pull request by hand", false);
                    }
                    return;
                }
                ObjectId tip = VersionSync.build(ws, masterHead, bumps, version, settings.app().defaultBranch(), bot);
                if (tip.equals(masterHead)) {
                    throw new StepFailure(settings.app().defaultBranch() + " already has the version bump of " + version
                            + " and no pull request from " + branch + " exists: nothing to sync", false);
                }
                if (ws.push(tip, heads(branch), ObjectId.zeroId()) == Workspace.Pushed.DONE) {
                    return;
                }
            }
            throw leaseLost(heads(branch), ws);
        }
    }
}
