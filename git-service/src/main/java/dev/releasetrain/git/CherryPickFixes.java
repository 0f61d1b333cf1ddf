package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.cherry-pick-fixes}: the pull requests labelled {@code label} (release-[v]) and merged after
 * {@code mergedAfter}, their merge commits picked onto the release branch in merge order, then pushed (with a lease
 * on the head it started from). Outputs {@code picked} (list of {@code pullRequest}, {@code sourceCommit},
 * {@code commit}, in merge order, earlier runs' picks included), {@code alreadyOnBranch} (PR numbers whose change the
 * branch had from its cut) and {@code head}.
 *
 * <p>An empty {@code mergedAfter} means "since the previous release": the time of tag {@code previousVersion} (its
 * tagger's time; a lightweight tag's commit time). Neither given is a failure for a person, naming both.
 *
 * <p>A release branch not yet published (a patch: cut by {@code git.cut-release-branch}, published with the version
 * bump by {@code git.push-release-branch}, so that CI builds no image of an un-bumped commit) gets its picks on top of
 * the recorded cut, stored as {@code refs/release-train/[v]/picks} on the app remote; {@code head} is then what
 * {@code git.bump-version} bumps.
 *
 * <p>A commit already picked (a commit of the branch carries its {@code (cherry picked from commit <sha>)}
 * trailer) is not picked again, so the step can run again later in the release (a second runbook node using this
 * handler picks only the fixes labelled since). A conflict fails the step, not retryable, naming the pull request
 * and the files, and pushes nothing: the remote branch stays as it was. No matching pull request is success.
 */
@Singleton
public class CherryPickFixes extends GitStep {

    @Inject
    public CherryPickFixes(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.cherry-pick-fixes";
    }

    record Fix(int number, String title, Instant mergedAt, ObjectId source) {
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        String label = ctx.params().getOrDefault("label", "release-" + version);
        String master = heads(settings.app().defaultBranch());
        String cut = settings.recordRef(version, "cut");
        String picks = settings.recordRef(version, "picks");
        String target = heads(branch);
        try (Workspace ws = open(settings.app())) {
            Instant after = mergedAfter(ctx, ws);
            List<Fix> fixes = fixes(label, after);
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                Optional<ObjectId> published = Workspace.id(refs, heads(branch));
                ObjectId head;
                ObjectId expected;
                if (published.isPresent()) {
                    target = heads(branch);
                    head = published.get();
                    expected = head;
                } else {
                    Optional<ObjectId> earlier = Workspace.id(refs, picks);
                    Optional<ObjectId> cutAt = Workspace.id(refs, cut);
                    if (earlier.isEmpty() && cutAt.isEmpty()) {
                        throw new StepFailure("release branch " + branch + " not found in " + Workspace.display(ws.url())
                                + " and no cut of " + version + " is recorded (" + cut
                                + "): run git.cut-release-branch first, or push the branch", false);
                    }
                    target = picks;
                    head = earlier.orElseGet(cutAt::orElseThrow);
                    expected = earlier.orElse(ObjectId.zeroId());
                }
                List<String> wanted = new ArrayList<>(List.of(master));
                if (refs.containsKey(target)) {
                    wanted.add(target);
                }
                if (published.isEmpty() && refs.containsKey(cut)) {
                    wanted.add(cut);
                }
                ws.fetch(wanted);
                ObjectId masterHead = ws.cached(master).orElseThrow();
                Map<ObjectId, ObjectId> picked = Picks.picked(ws, head, masterHead);
                PersonIdent bot = Release.bot(settings, Instant.now().truncatedTo(ChronoUnit.SECONDS));
                List<Map<String, Object>> out = new ArrayList<>();
                List<Integer> onBranch = new ArrayList<>();
                ObjectId tip = head;
                boolean checkedOut = false;
                for (Fix fix : fixes) {
                    if (!ws.has(fix.source())) {
                        throw new StepFailure("the merge commit " + fix.source().name() + " of pull request #" + fix.number()
                                + " is not on " + settings.app().defaultBranch() + " of " + Workspace.display(ws.url()), false);
                    }
                    ObjectId before = picked.get(fix.source());
                    if (before != null) {
                        out.add(entry(fix, before));
                        continue;
                    }
                    if (ws.isAncestor(fix.source(), tip)) {
                        onBranch.add(fix.number());
                        continue;
                    }
                    if (!checkedOut) {
                        ws.checkout(head);
                        checkedOut = true;
                    }
                    try {
                        Optional<RevCommit> commit = Picks.pick(ws, ws.commit(fix.source()), bot);
                        if (commit.isEmpty()) {
                            onBranch.add(fix.number());
                        } else {
                            tip = commit.get();
                            out.add(entry(fix, tip));
                        }
                    } catch (Picks.Conflict conflict) {
                        throw new StepFailure("cherry-pick of pull request #" + fix.number() + " (" + fix.title()
                                + ", commit " + fix.source().name() + ") onto " + branch + " conflicts in "
                                + String.join(", ", conflict.paths) + "; nothing was pushed, " + branch + " stays at "
                                + head.name() + ": pick it by hand or remove the label " + label, false);
                    }
                }
                if (tip.equals(head) || ws.push(tip, target, expected) == Workspace.Pushed.DONE) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("picked", out);
                    result.put("alreadyOnBranch", onBranch);
                    result.put("head", tip.name());
                    return StepOutcome.succeeded(result);
                }
            }
            throw leaseLost(target, ws);
        }
    }

    /**
     * {@code mergedAfter}, else the time of tag {@code previousVersion}: an annotated tag's tagger time, a lightweight
     * tag's commit time.
     */
    Instant mergedAfter(StepContext ctx, Workspace ws) {
        String given = ctx.params().get("mergedAfter");
        if (given != null && !given.isBlank()) {
            return Release.time(ctx, "mergedAfter");
        }
        String previous = ctx.params().get("previousVersion");
        if (previous == null || previous.isBlank()) {
            throw new StepFailure("step " + ctx.step() + " needs 'mergedAfter' (the fixes merged after it are picked) or "
                    + "'previousVersion' (whose tag's time is used instead); both are empty", false);
        }
        String tag = tags(previous.strip());
        Map<String, Ref> refs = ws.remoteRefs();
        if (!refs.containsKey(tag)) {
            throw new StepFailure("'mergedAfter' is empty and tag " + previous.strip() + " (previousVersion) is not in "
                    + Workspace.display(ws.url()) + ": give mergedAfter, or the version whose tag exists", false);
        }
        ws.fetch(tag);
        return ws.tagTime(ws.cached(tag).orElseThrow());
    }

    private static Map<String, Object> entry(Fix fix, ObjectId commit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pullRequest", fix.number());
        m.put("sourceCommit", fix.source().name());
        m.put("commit", commit.name());
        return m;
    }

    /** The merged pull requests with the label, merged after the time, in merge order. */
    List<Fix> fixes(String label, Instant after) {
        String repoName = settings.app().github();
        try {
            GHRepository repo = githubRepository(repoName);
            List<Fix> fixes = new ArrayList<>();
            for (GHIssue issue : github.client().searchIssues().q("repo:" + repoName).q("is:pr").isMerged()
                    .q("label:\"" + label + "\"").q("merged:>=" + after.atOffset(ZoneOffset.UTC).toLocalDate())
                    .list().toList()) {
                if (!issue.isPullRequest()) {
                    continue;
                }
                GHPullRequest pr = repo.getPullRequest(issue.getNumber());
                if (pr.getMergedAt() == null || !pr.getMergedAt().toInstant().isAfter(after)) {
                    continue;
                }
                String sha = pr.getMergeCommitSha();
                if (sha == null) {
                    throw new StepFailure("pull request #" + pr.getNumber() + " is merged but GitHub gives no merge commit", true);
                }
                fixes.add(new Fix(pr.getNumber(), pr.getTitle(), pr.getMergedAt().toInstant(), ObjectId.fromString(sha)));
            }
            fixes.sort(Comparator.comparing(Fix::mergedAt).thenComparing(Fix::number));
            return fixes;
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot search the pull requests labelled " + label + " in " + repoName, e);
        }
    }
}
