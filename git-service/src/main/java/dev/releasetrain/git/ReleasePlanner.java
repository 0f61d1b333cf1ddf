package dev.releasetrain.git;

import dev.releasetrain.worker.plan.PlanStep;
import dev.releasetrain.worker.plan.StepPlanner;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the git steps of a release would do, done without effects: each step's changes computed by the same code
 * the step runs (the bump of the version files, the chart and the playground values, the cherry-picks, the
 * version sync) on the remotes' current heads, as unified diffs; the branches, tags and pull requests it would
 * create and which already exist; the changelog. Nothing is pushed and nothing is written to GitHub: the remotes
 * are only listed and fetched from, GitHub only read. The commits the plan makes live in this service's local
 * clones (a cache), like any step's before its push.
 *
 * <p>Steps are planned in the runbook's order, each on what the steps before it would have made (the bump on the
 * cut, the picks on the bump). A step that would fail says so with the step's own words; a step that only waits
 * (for a person to merge) is planned as changing nothing.
 */
@Singleton
public class ReleasePlanner implements StepPlanner {

    /** Something a step would create, and whether it is already there ({@code at}: where it points then). */
    public record Creates(String kind, String repository, String name, boolean exists, String at) {
    }

    /** The change a step would make to one file. */
    public record FileChange(String repository, String path, String diff) {
    }

    /** A fix a cherry-pick would handle: {@code outcome} picked, on-branch or conflict (with the paths). */
    public record Pick(int pullRequest, String title, String sourceCommit, String outcome, List<String> conflicts) {
    }

    /**
     * A step's plan. {@code planned} false: it could not be planned ({@code note} says why: it waits for a person,
     * or it would fail). {@code outputs} are what the step would report (a commit id the real run makes again).
     */
    public record StepPlan(String step, String handler, boolean planned, String note, List<Creates> creates,
                           List<FileChange> changes, List<Pick> picks, Map<String, Object> outputs) {
        static StepPlan notPlanned(PlanStep s, String why) {
            return new StepPlan(s.step(), s.handler(), false, why, List.of(), List.of(), List.of(), Map.of());
        }
    }

    private final GitSettings settings;
    private final GitHubAccess github;
    private final CollectChangelog changelog;
    private final BumpChart bumpChart;
    private final CherryPickFixes cherryPicks;
    private final CutReleaseBranch cutBranch;

    @Inject
    public ReleasePlanner(GitSettings settings, GitHubAccess github) {
        this.settings = settings;
        this.github = github;
        this.changelog = new CollectChangelog(settings, github);
        this.bumpChart = new BumpChart(settings, github);
        this.cherryPicks = new CherryPickFixes(settings, github);
        this.cutBranch = new CutReleaseBranch(settings, github);
    }

    /** The plan of {@code steps}, in their order. */
    @Override
    public List<StepPlan> plan(List<PlanStep> steps) {
        Planning p = new Planning();
        List<StepPlan> out = new ArrayList<>();
        for (PlanStep s : steps) {
            StepContext ctx = s.context(Map.of());
            try {
                out.add(switch (s.handler()) {
                    case "git.cut-release-branch" -> cut(s, ctx, p);
                    case "git.collect-changelog" -> collect(s, ctx, p);
                    case "git.bump-version" -> bumpVersion(s, ctx, p);
                    case "git.push-release-branch" -> push(s, ctx, p);
                    case "git.update-playground-values" -> playground(s, ctx);
                    case "git.cherry-pick-fixes" -> cherryPick(s, ctx, p);
                    case "git.tag-release" -> tag(s, ctx, p);
                    case "git.bump-chart" -> chart(s, ctx);
                    case "git.sync-version" -> sync(s, ctx, p);
                    case "git.await-sync-merge" -> new StepPlan(s.step(), s.handler(), true,
                            "waits for a person to merge the version sync pull request; changes nothing", List.of(), List.of(),
                            List.of(), Map.of());
                    case "git.resolve-head" -> resolveHead(s);
                    default -> StepPlan.notPlanned(s, "no plan for handler " + s.handler());
                });
            } catch (StepFailure f) {
                out.add(StepPlan.notPlanned(s, "would fail: " + f.getMessage()));
            } catch (RuntimeException e) {
                out.add(StepPlan.notPlanned(s, "could not be planned: " + e.getMessage()));
            }
        }
        return out;
    }

    /** What the steps planned so far would have made, for the steps after them. */
    private static final class Planning {
        ObjectId cut;
        ObjectId bump;
        ObjectId tip;
        final List<ObjectId> picked = new ArrayList<>();
    }

    private StepPlan cut(PlanStep s, StepContext ctx, Planning p) {
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        String given = ctx.params().get("from");
        if ((given == null || given.isBlank()) && "patch".equals(ctx.params().get("kind"))) {
            throw new StepFailure("a patch release is cut from the release it patches: parameter 'from' is empty", false);
        }
        String from = cutBranch.fromRef(given);
        try (Workspace ws = open(settings.app())) {
            Map<String, Ref> refs = ws.remoteRefs();
            Optional<ObjectId> recorded = Workspace.id(refs, settings.recordRef(version, "cut"));
            ObjectId head;
            if (recorded.isPresent()) {
                head = recorded.get();
            } else {
                ObjectId at = GitStep.require(refs, from, ws);
                ws.fetch(from);
                head = ws.peel(ws.cached(from).orElse(at));
            }
            p.cut = head;
            p.tip = head;
            Optional<ObjectId> existing = Workspace.id(refs, GitStep.heads(branch));
            return plan(s, "cut " + branch + " from " + from + " at " + head.name(),
                    List.of(new Creates("branch", settings.app().github(), branch, existing.isPresent(),
                            existing.map(ObjectId::name).orElse(null))),
                    List.of(), List.of(), outputs("branch", branch, "commit", head.name()));
        }
    }

    private StepPlan collect(PlanStep s, StepContext ctx, Planning p) {
        if (p.cut == null) {
            return StepPlan.notPlanned(s, "needs the cut of the release branch, which was not planned");
        }
        Map<String, String> params = new LinkedHashMap<>(ctx.params());
        params.put("head", p.cut.name());
        StepOutcome outcome = changelog.run(new StepContext(ctx.releaseId(), s.step(), s.handler(), 0, "plan", params, (m, d) -> {
        }));
        if (outcome instanceof StepOutcome.Succeeded ok) {
            return plan(s, ok.outputs().get("commits") + " commits in " + ok.outputs().get("range"), List.of(), List.of(),
                    List.of(), ok.outputs());
        }
        return StepPlan.notPlanned(s, "would fail: " + outcome);
    }

    /** On what the plan has so far: the cut (a minor), or the cut with the fixes picked (a patch bumps after them). */
    private StepPlan bumpVersion(PlanStep s, StepContext ctx, Planning p) {
        if (p.tip == null) {
            return StepPlan.notPlanned(s, "needs the cut of the release branch, which was not planned");
        }
        String version = Release.version(ctx);
        PersonIdent bot = Release.bot(settings, Release.time(ctx, "freezeTime", "releaseDate"));
        ObjectId base = p.tip;
        try (Workspace ws = open(settings.app())) {
            ws.fetch(GitStep.heads(settings.app().defaultBranch()));
            RevCommit bump = BumpVersion.bumpCommit(ws, base, version, ctx.param("releaseDate"), bot);
            p.bump = bump;
            p.tip = bump;
            return plan(s, "commit \"" + BumpVersion.message(version) + "\" on " + base.name(), List.of(),
                    changes(settings.app().github(), UnifiedDiff.ofCommit(ws, bump)), List.of(),
                    outputs("commit", bump.name()));
        }
    }

    private StepPlan push(PlanStep s, StepContext ctx, Planning p) {
        if (p.bump == null) {
            return StepPlan.notPlanned(s, "needs the version bump, which was not planned");
        }
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        try (Workspace ws = open(settings.app())) {
            Optional<ObjectId> existing = Workspace.id(ws.remoteRefs(), GitStep.heads(branch));
            return plan(s, "push " + branch + " at " + p.bump.name() + " (CI then builds " + branch + "-unstable)",
                    List.of(new Creates("branch", settings.app().github(), branch, existing.isPresent(),
                            existing.map(ObjectId::name).orElse(null))),
                    List.of(), List.of(), outputs("branch", branch, "commit", p.bump.name()));
        }
    }

    private StepPlan playground(PlanStep s, StepContext ctx) {
        String version = Release.version(ctx);
        String imageTag = ctx.params().getOrDefault("imageTag", "release-" + version + "-unstable");
        String path = settings.valuesPath();
        String branch = GitStep.heads(settings.vpc().defaultBranch());
        try (Workspace ws = open(settings.vpc())) {
            ObjectId head = GitStep.require(ws.remoteRefs(), branch, ws);
            ws.fetch(branch);
            String values = ws.read(head, path).orElseThrow(() -> new StepFailure(path + " not found on "
                    + settings.vpc().defaultBranch() + " of " + Workspace.display(ws.url()), false));
            String updated = UpdatePlaygroundValues.values(values, imageTag, path);
            Map<String, String> diffs = UnifiedDiff.files(Map.of(path, values), Map.of(path, updated));
            return plan(s, diffs.isEmpty() ? path + " already deploys " + imageTag + ": nothing to commit"
                            : "commit \"playground: deploy " + imageTag + "\" on " + settings.vpc().defaultBranch() + " at " + head.name(),
                    List.of(), changes(settings.vpc().github(), diffs), List.of(), outputs("path", path, "valuesYaml", updated));
        }
    }

    private StepPlan cherryPick(PlanStep s, StepContext ctx, Planning p) {
        String version = Release.version(ctx);
        String label = ctx.params().getOrDefault("label", "release-" + version);
        String master = GitStep.heads(settings.app().defaultBranch());
        try (Workspace ws = open(settings.app())) {
            Map<String, Ref> refs = ws.remoteRefs();
            ObjectId head = p.tip;
            if (head == null) {
                Optional<ObjectId> branch = Workspace.id(refs, GitStep.heads(Release.releaseBranch(ctx, settings, version)));
                if (branch.isEmpty()) {
                    return StepPlan.notPlanned(s, "needs the release branch, which neither exists nor was planned");
                }
                ws.fetch(GitStep.heads(Release.releaseBranch(ctx, settings, version)));
                head = branch.get();
            }
            Instant after = cherryPicks.mergedAfter(ctx, ws);
            List<CherryPickFixes.Fix> fixes = cherryPicks.fixes(label, after);
            ws.fetch(master);
            PersonIdent bot = Release.bot(settings, Release.time(ctx, "freezeTime", "releaseDate"));
            List<Pick> picks = new ArrayList<>();
            ObjectId tip = head;
            boolean checkedOut = false;
            boolean conflicted = false;
            for (CherryPickFixes.Fix fix : fixes) {
                if (conflicted) {
                    picks.add(new Pick(fix.number(), fix.title(), fix.source().name(), "not reached (after a conflict)", List.of()));
                    continue;
                }
                if (!ws.has(fix.source())) {
                    throw new StepFailure("the merge commit " + fix.source().name() + " of pull request #" + fix.number()
                            + " is not on " + settings.app().defaultBranch(), false);
                }
                if (ws.isAncestor(fix.source(), tip) || p.picked.contains(fix.source())) {
                    picks.add(new Pick(fix.number(), fix.title(), fix.source().name(), "on-branch", List.of()));
                    continue;
                }
                if (!checkedOut) {
                    ws.checkout(tip);
                    checkedOut = true;
                }
                try {
                    Optional<RevCommit> commit = Picks.pick(ws, ws.commit(fix.source()), bot);
                    if (commit.isEmpty()) {
                        picks.add(new Pick(fix.number(), fix.title(), fix.source().name(), "on-branch", List.of()));
                    } else {
                        tip = commit.get();
                        p.picked.add(fix.source());
                        picks.add(new Pick(fix.number(), fix.title(), fix.source().name(), "picked", List.of()));
                    }
                } catch (Picks.Conflict conflict) {
                    conflicted = true;
                    picks.add(new Pick(fix.number(), fix.title(), fix.source().name(), "conflict", List.copyOf(conflict.paths)));
                }
            }
            p.tip = tip;
            long count = picks.stream().filter(k -> k.outcome().equals("picked")).count();
            String note = "fixes labelled " + label + " merged after " + after + ": " + count + " to pick"
                    + (conflicted ? "; the step would stop at the conflict and push nothing" : "");
            return plan(s, note, List.of(), List.of(), picks, outputs("head", tip.name()));
        }
    }

    private StepPlan tag(PlanStep s, StepContext ctx, Planning p) {
        String version = Release.version(ctx);
        try (Workspace ws = open(settings.app())) {
            Map<String, Ref> refs = ws.remoteRefs();
            Optional<ObjectId> existing = Workspace.id(refs, GitStep.tags(version));
            String on = p.tip != null ? p.tip.name() : "the head of " + Release.releaseBranch(ctx, settings, version);
            return plan(s, "annotated tag " + version + " (\"Version " + version + "\") on " + on,
                    List.of(new Creates("tag", settings.app().github(), version, existing.isPresent(),
                            existing.map(ObjectId::name).orElse(null))),
                    List.of(), List.of(), p.tip == null ? Map.of() : outputs("tag", version, "commit", p.tip.name()));
        }
    }

    private StepPlan chart(PlanStep s, StepContext ctx) throws RuntimeException {
        String version = Release.version(ctx);
        String imageTag = ctx.params().getOrDefault("imageTag", "release-" + version);
        String branch = GitSettings.render(settings.chartBranch(), version);
        String base = settings.charts().defaultBranch();
        String part = bumpChart.bumpPart(ctx);
        String title = "Update PostHog App to " + version;
        Creates pr = pullRequest(settings.charts().github(), branch, base, title);
        try (Workspace ws = open(settings.charts())) {
            Map<String, Ref> refs = ws.remoteRefs();
            ObjectId head = GitStep.require(refs, GitStep.heads(base), ws);
            ws.fetch(GitStep.heads(base));
            BumpChart.Bump bump = bumpChart.bump(ws, head, version, imageTag, part);
            Map<String, String> before = new LinkedHashMap<>();
            bump.files().keySet().forEach(path -> before.put(path, ws.read(head, path).orElse("")));
            Optional<ObjectId> existing = Workspace.id(refs, GitStep.heads(branch));
            return plan(s, "commit \"" + title + "\" on " + base + " at " + head.name() + " (chart " + bump.chartVersion()
                            + ", " + part + " bump), pushed as " + branch + ", pull request labelled "
                            + Optional.ofNullable(ctx.params().get("label")).filter(l -> !l.isBlank()).orElse(settings.chartLabel()),
                    List.of(new Creates("branch", settings.charts().github(), branch, existing.isPresent(),
                            existing.map(ObjectId::name).orElse(null)), pr),
                    changes(settings.charts().github(), UnifiedDiff.files(before, bump.files())), List.of(),
                    outputs("branch", branch, "chartVersion", bump.chartVersion()));
        }
    }

    private StepPlan sync(PlanStep s, StepContext ctx, Planning p) {
        String version = Release.version(ctx);
        String branch = GitSettings.render(settings.syncBranch(), version);
        String base = settings.app().defaultBranch();
        String title = "chore: Bump version to " + version + " on " + base;
        Creates pr = pullRequest(settings.app().github(), branch, base, title);
        if (p.bump == null) {
            return StepPlan.notPlanned(s, "needs the version bump, which was not planned");
        }
        PersonIdent bot = Release.bot(settings, Release.time(ctx, "releaseTime", "releaseDate"));
        try (Workspace ws = open(settings.app())) {
            Map<String, Ref> refs = ws.remoteRefs();
            ObjectId masterHead = GitStep.require(refs, GitStep.heads(base), ws);
            ws.fetch(GitStep.heads(base));
            ObjectId tip = VersionSync.build(ws, masterHead, List.of(p.bump), version, base, bot);
            Map<String, String> diffs = tip.equals(masterHead) ? Map.of() : UnifiedDiff.ofCommit(ws, tip);
            Optional<ObjectId> existing = Workspace.id(refs, GitStep.heads(branch));
            return plan(s, "branch " + branch + " from " + base + " at " + masterHead.name() + " with the version bump, "
                            + "pull request \"" + title + "\"",
                    List.of(new Creates("branch", settings.app().github(), branch, existing.isPresent(),
                            existing.map(ObjectId::name).orElse(null)), pr),
                    changes(settings.app().github(), diffs), List.of(), outputs("branch", branch));
        }
    }

    private StepPlan resolveHead(PlanStep s) {
        try (Workspace ws = open(settings.app())) {
            ObjectId head = GitStep.require(ws.remoteRefs(), GitStep.heads(settings.app().defaultBranch()), ws);
            return plan(s, "reads the head of " + settings.app().defaultBranch(), List.of(), List.of(), List.of(),
                    outputs("branch", settings.app().defaultBranch(), "commit", head.name()));
        }
    }

    /** The pull request a step would open, and whether one from that branch is already open or merged. */
    private Creates pullRequest(String repoName, String head, String base, String title) {
        try {
            GHRepository repo = github.client().getRepository(repoName);
            Optional<GHPullRequest> existing = PullRequests.existing(repo, head, base);
            return new Creates("pull-request", repoName, title, existing.isPresent(),
                    existing.map(pr -> "#" + pr.getNumber()).orElse(null));
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot list the pull requests from " + head + " in " + repoName, e);
        }
    }

    private Workspace open(GitSettings.Repo repo) {
        return Workspace.open(settings.cacheDir(), repo.url(), github.credentials());
    }

    private static List<FileChange> changes(String repository, Map<String, String> diffs) {
        List<FileChange> out = new ArrayList<>();
        diffs.forEach((path, diff) -> out.add(new FileChange(repository, path, diff)));
        return out;
    }

    private static StepPlan plan(PlanStep s, String note, List<Creates> creates, List<FileChange> changes, List<Pick> picks,
                                 Map<String, Object> outputs) {
        return new StepPlan(s.step(), s.handler(), true, note, creates, changes, picks, outputs);
    }

    private static Map<String, Object> outputs(String... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
