package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.push-release-branch}: publishes {@code release-[v]} at {@code commit} (the bump commit), which starts
 * CI's {@code release-[v]-unstable} build. The commit comes from the remote ({@code refs/release-train/[v]/bump},
 * stored by {@code git.bump-version}), never from a previous step's disk. The branch absent: created; at
 * {@code commit}: success, nothing pushed; at an ancestor of it (a patch release's branch): moved forward; anywhere
 * else: a clear failure, not retryable. Outputs {@code branch}, {@code commit}.
 */
@Singleton
public class PushReleaseBranch extends GitStep {

    @Inject
    public PushReleaseBranch(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.push-release-branch";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        ObjectId commit = CollectChangelog.parseId(ctx.param("commit"), "commit");
        try (Workspace ws = open(settings.app())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                Optional<ObjectId> remote = Workspace.id(refs, heads(branch));
                if (remote.isPresent() && remote.get().equals(commit)) {
                    return done(branch, commit);
                }
                List<String> wanted = new ArrayList<>();
                refs.keySet().stream().filter(r -> r.startsWith(settings.recordRefs() + version + "/")
                        || r.equals(heads(branch))).forEach(wanted::add);
                ws.fetch(wanted);
                if (!ws.has(commit)) {
                    throw new StepFailure("commit " + commit.name() + " is not in " + Workspace.display(ws.url())
                            + " (looked at " + wanted + "): run git.bump-version again", false);
                }
                ObjectId expected = remote.orElse(ObjectId.zeroId());
                if (remote.isPresent() && !ws.isAncestor(remote.get(), commit)) {
                    throw new StepFailure("branch " + branch + " already exists in " + Workspace.display(ws.url())
                            + " at " + remote.get().name() + ", which is neither " + commit.name()
                            + " nor an ancestor of it; it was changed by someone else", false);
                }
                if (ws.push(commit, heads(branch), expected) == Workspace.Pushed.DONE) {
                    return done(branch, commit);
                }
            }
            throw leaseLost(heads(branch), ws);
        }
    }

    private static StepOutcome done(String branch, ObjectId commit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("branch", branch);
        out.put("commit", commit.name());
        return StepOutcome.succeeded(out);
    }
}
