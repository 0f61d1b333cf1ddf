package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.cut-release-branch}: fixes the commit {@code release-[v]} starts from: the commit of param {@code from}
 * now ({@code refs/tags/X}, {@code refs/heads/X} or a branch name; for a patch the previous release's tag), by default
 * the head of the default branch, except for a patch ({@code kind} {@code patch}), which must say what it patches.
 * Outputs {@code branch}, {@code commit}.
 *
 * <p>The branch itself reaches the remote only in {@code git.push-release-branch}, with the version bump on top:
 * CI builds {@code release-[v]-unstable} on every push of the branch, and an image of the un-bumped cut would be
 * awaited and deployed as the release. What this step publishes is the cut point, as the ref
 * {@code refs/release-train/[v]/cut} on the app remote (not a branch: CI and people's branch lists ignore it). A
 * second run, on any worker and after the ref cut from moved on, finds that ref and answers the same commit; a
 * {@code release-[v]} branch that exists without that record is success only if it is at the commit of
 * {@code from}, else a clear failure.
 */
@Singleton
public class CutReleaseBranch extends GitStep {

    @Inject
    public CutReleaseBranch(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.cut-release-branch";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        String record = settings.recordRef(version, "cut");
        String given = ctx.params().get("from");
        if ((given == null || given.isBlank()) && "patch".equals(ctx.params().get("kind"))) {
            throw new StepFailure("a patch release is cut from the release it patches, not from "
                    + settings.app().defaultBranch() + ": parameter 'from' (e.g. refs/tags/" + ctx.params().getOrDefault(
                    "previousVersion", "X.Y.Z") + ") is empty", false);
        }
        String from = fromRef(given);
        try (Workspace ws = open(settings.app())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                Optional<ObjectId> recorded = Workspace.id(refs, record);
                if (recorded.isPresent()) {
                    return done(branch, recorded.get());
                }
                if (!refs.containsKey(from)) {
                    throw new StepFailure("cannot cut " + branch + " from " + from + ": " + from + " not found in "
                            + Workspace.display(ws.url()), false);
                }
                ws.fetch(from);
                ObjectId head = ws.peel(ws.cached(from).orElseThrow());
                Optional<ObjectId> existing = Workspace.id(refs, heads(branch));
                if (existing.isPresent() && !existing.get().equals(head)) {
                    throw new StepFailure("branch " + branch + " already exists in " + Workspace.display(ws.url())
                            + " at " + existing.get().name() + ", not at " + from + " (" + head.name()
                            + "), and no cut of " + version + " is recorded (" + record
                            + "): it was not cut by this release; remove it or record the cut by hand", false);
                }
                if (ws.push(head, record, ObjectId.zeroId()) == Workspace.Pushed.DONE) {
                    return done(branch, head);
                }
            }
            throw leaseLost(record, ws);
        }
    }

    /** The full name of the ref to cut from: {@code refs/...} as given, a plain name as a branch, nothing as the default branch. */
    String fromRef(String from) {
        if (from == null || from.isBlank()) {
            return heads(settings.app().defaultBranch());
        }
        String f = from.strip();
        return f.startsWith(Constants.R_REFS) ? f : heads(f);
    }

    private static StepOutcome done(String branch, ObjectId commit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("branch", branch);
        out.put("commit", commit.name());
        return StepOutcome.succeeded(out);
    }
}
