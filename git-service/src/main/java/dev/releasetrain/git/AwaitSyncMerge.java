package dev.releasetrain.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code git.await-sync-merge}: waits until the version sync pull request ({@code pullRequest}, opened by
 * {@code git.sync-version}) is merged and the default branch's {@code posthog/versions.json} has the entry of
 * [v]: only then do self-hosted instances (and the CDN, invalidated next) see the new version. Outputs
 * {@code pullRequest}, {@code mergeCommit}.
 *
 * <p>Polls GitHub for the pull request and the app remote (ls-remote, then a fetch only when the default branch
 * moved) every {@code release-train.git.sync-merge.poll-interval}, and reports progress (which extends the attempt's
 * deadline) when what it waits for changes and at least every {@code .progress-interval}. Merging is a person's
 * job: after {@code .max-wait} it fails, not retryable, asking for the merge and a retry. A pull request closed
 * without being merged fails at once, not retryable. GitHub or the remote failing in a way that may pass (5xx,
 * rate limit, network) is reported as progress and waited through; anything else fails the step for a person. Reads
 * only, but for one repair: an open sync pull request that no longer merges into the default branch (another
 * release's version bump got there first) has its branch built again on it ({@link SyncBranch}). A second run after
 * the merge succeeds at its first look.
 */
@Singleton
public class AwaitSyncMerge extends GitStep {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Duration maxWait;
    private final Duration pollInterval;
    private final Duration progressInterval;

    @Inject
    public AwaitSyncMerge(GitSettings settings, GitHubAccess github,
                          @ConfigProperty(name = "release-train.git.sync-merge.max-wait", defaultValue = "PT24H") Duration maxWait,
                          @ConfigProperty(name = "release-train.git.sync-merge.poll-interval", defaultValue = "PT30S") Duration pollInterval,
                          @ConfigProperty(name = "release-train.git.sync-merge.progress-interval", defaultValue = "PT5M") Duration progressInterval) {
        super(settings, github);
        this.maxWait = maxWait;
        this.pollInterval = pollInterval;
        this.progressInterval = progressInterval;
    }

    @Override
    public String stepId() {
        return "git.await-sync-merge";
    }

    /**
     * What one look found: done (a merge commit and the entry on the default branch), or what it waits for; the
     * reason for a person if the wait ends there.
     */
    private record Look(String mergeCommit, boolean done, String waitingFor, String ifItEndsHere, Map<String, Object> details) {
    }

    @Override
    public StepOutcome run(StepContext ctx) throws InterruptedException {
        String version = Release.version(ctx);
        int number = pullRequest(ctx.param("pullRequest"));
        String bump = Optional.ofNullable(ctx.params().get("bumpCommit")).map(String::strip).orElse("");
        MasterFile versions = new MasterFile();
        SyncBranch sync = new SyncBranch(version, Release.releaseBranch(ctx, settings, version), bump);
        // the last look, for its reason when the wait ends there
        AtomicReference<Look> last = new AtomicReference<>();
        try {
            String mergeCommit = ctx.await(Polling.Schedule.of(maxWait, pollInterval, progressInterval), waited -> {
                Look look = lookThroughTransientFailures(number, version, versions, sync);
                last.set(look);
                if (look.done()) {
                    return Polling.Look.done(look.mergeCommit());
                }
                Map<String, Object> details = new LinkedHashMap<>(look.details());
                if (!bump.isEmpty()) {
                    details.put("bumpCommit", bump);
                }
                details.put("waitedSeconds", waited.toSeconds());
                details.put("maxWaitSeconds", maxWait.toSeconds());
                return Polling.Look.waiting(look.waitingFor(), look.waitingFor(), details);
            });
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("pullRequest", number);
            out.put("mergeCommit", mergeCommit);
            return StepOutcome.succeeded(out);
        } catch (Polling.TimedOut t) {
            throw new StepFailure(last.get().ifItEndsHere(), false);
        }
    }

    /** A look; GitHub or the remote failing in a way that may pass is something more to wait through. */
    private Look lookThroughTransientFailures(int number, String version, MasterFile versions, SyncBranch sync) {
        try {
            return look(number, version, versions, sync);
        } catch (StepFailure f) {
            if (!f.retryable()) {
                throw f;
            }
            return new Look(null, false, f.getMessage(), "sync PR #" + number + " could not be read after "
                    + human(maxWait) + " (" + f.getMessage() + "): check it is merged, then retry the step",
                    Map.of("pullRequest", number, "problem", f.getMessage()));
        }
    }

    private Look look(int number, String version, MasterFile versions, SyncBranch sync) {
        String repoName = settings.app().github();
        GHPullRequest pr;
        boolean merged;
        String url;
        try {
            pr = githubRepository(repoName).getPullRequest(number);
            merged = pr.isMerged();
            url = pr.getHtmlUrl().toString();
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot read the sync pull request #" + number + " of " + repoName, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pullRequest", number);
        details.put("url", url);
        if (!merged) {
            if (pr.getState() == GHIssueState.CLOSED) {
                throw new StepFailure("sync PR #" + number + " (" + url + ") was closed without being merged: reopen and "
                        + "merge it, then retry the step (or merge another pull request bringing the version bump to "
                        + settings.app().defaultBranch() + " and retry with its number as pullRequest)", false);
            }
            details.put("state", "open");
            Optional<ObjectId> rebuilt = sync.keepMergeable();
            rebuilt.ifPresent(tip -> details.put("rebuiltAt", tip.name()));
            return new Look(null, false, "sync PR #" + number + " is open, waiting for it to be merged (" + url + ")"
                    + rebuilt.map(tip -> "; it conflicted with " + settings.app().defaultBranch() + ", so its branch "
                    + sync.branch + " was rebuilt on it (" + tip.name() + ")").orElse(""),
                    "sync PR #" + number + " is not merged after " + human(maxWait) + ": merge it, then retry the step ("
                            + url + ")", details);
        }
        String mergeCommit;
        try {
            mergeCommit = pr.getMergeCommitSha();
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot read the merge commit of the sync pull request #" + number, e);
        }
        if (versions.hasEntry(version)) {
            return new Look(mergeCommit, true, null, null, details);
        }
        details.put("state", "merged");
        details.put("mergeCommit", mergeCommit);
        String master = settings.app().defaultBranch();
        return new Look(null, false, "sync PR #" + number + " is merged (" + mergeCommit + "), waiting for "
                + BumpVersion.VERSIONS_JSON + " on " + master + " to list " + version,
                "sync PR #" + number + " is merged (" + mergeCommit + ") but " + BumpVersion.VERSIONS_JSON + " on " + master
                        + " still has no entry for " + version + " after " + human(maxWait) + ": bring the version bump to "
                        + master + ", then retry the step (" + url + ")", details);
    }

    /**
     * The sync pull request's branch, kept mergeable: when the default branch moved on in a way that conflicts with it
     * (another release's version bump merged first), the branch is built again on the default branch's head
     * ({@link VersionSync}) and pushed over the old one (only if it is still where it was read). A branch that still
     * merges cleanly is left alone, and nothing is done without the bump commits.
     */
    private final class SyncBranch {
        private final String version;
        private final String releaseBranch;
        private final String branch;
        private final List<ObjectId> bumps = new ArrayList<>();

        SyncBranch(String version, String releaseBranch, String bumpCommits) {
            this.version = version;
            this.releaseBranch = releaseBranch;
            this.branch = GitSettings.render(settings.syncBranch(), version);
            for (String id : bumpCommits.split(",")) {
                if (!id.isBlank()) {
                    bumps.add(CollectChangelog.parseId(id, "bumpCommit"));
                }
            }
        }

        Optional<ObjectId> keepMergeable() {
            if (bumps.isEmpty()) {
                return Optional.empty();
            }
            String base = settings.app().defaultBranch();
            try (Workspace ws = open(settings.app())) {
                Map<String, Ref> refs = ws.remoteRefs();
                ObjectId master = require(refs, heads(base), ws);
                Optional<ObjectId> head = Workspace.id(refs, heads(branch));
                if (head.isEmpty()) {
                    return Optional.empty();
                }
                List<String> wanted = new ArrayList<>();
                refs.keySet().stream().filter(r -> r.equals(heads(base)) || r.equals(heads(branch)) || r.equals(heads(releaseBranch))
                        || r.startsWith(settings.recordRefs() + version + "/")).forEach(wanted::add);
                ws.fetch(wanted);
                if (ws.isAncestor(master, head.get()) || VersionSync.mergesCleanly(ws, head.get(), master)
                        || !bumps.stream().allMatch(ws::has)) {
                    return Optional.empty();
                }
                PersonIdent bot = Release.bot(settings, Instant.now().truncatedTo(ChronoUnit.SECONDS));
                ObjectId tip = VersionSync.build(ws, master, bumps, version, base, bot);
                if (tip.equals(master)) {
                    return Optional.empty(); // the default branch has the bump already: merging is moot, the look sees it
                }
                return ws.push(tip, heads(branch), head.get(), true) == Workspace.Pushed.DONE ? Optional.of(tip) : Optional.empty();
            }
        }
    }

    /** {@code posthog/versions.json} on the default branch, read again only when the branch moved. */
    private final class MasterFile {
        private ObjectId readAt;
        private boolean hadEntry;

        boolean hasEntry(String version) {
            String master = heads(settings.app().defaultBranch());
            try (Workspace ws = open(settings.app())) {
                Map<String, Ref> refs = ws.remoteRefs();
                ObjectId head = require(refs, master, ws);
                if (head.equals(readAt)) {
                    return hadEntry;
                }
                ws.fetch(master);
                String text = ws.read(head, BumpVersion.VERSIONS_JSON).orElseThrow(() -> new StepFailure(
                        BumpVersion.VERSIONS_JSON + " not found on " + settings.app().defaultBranch() + " at " + head.name(), false));
                hadEntry = listsVersion(text, version);
                readAt = head;
                return hadEntry;
            }
        }
    }

    /** The release_date of {@code version}'s entry in a {@code versions.json} text; empty if not listed or not JSON. */
    static Optional<String> releaseDateOf(String versionsJson, String version) {
        try {
            JsonNode list = JSON.readTree(versionsJson);
            if (list != null && list.isArray()) {
                for (JsonNode entry : list) {
                    if (version.equals(entry.path("version").asText(null))) {
                        return Optional.ofNullable(entry.path("release_date").asText(null));
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static boolean listsVersion(String versionsJson, String version) {
        JsonNode list;
        try {
            list = JSON.readTree(versionsJson);
        } catch (IOException e) {
            throw new StepFailure(BumpVersion.VERSIONS_JSON + " is not JSON: " + e.getMessage(), false);
        }
        if (list == null || !list.isArray()) {
            throw new StepFailure(BumpVersion.VERSIONS_JSON + " is not a JSON array", false);
        }
        for (JsonNode entry : list) {
            if (version.equals(entry.path("version").asText(null))) {
                return true;
            }
        }
        return false;
    }

    private static int pullRequest(String value) {
        try {
            int n = Integer.parseInt(value.strip().replaceFirst("^#", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new StepFailure("parameter 'pullRequest' is not a pull request number: " + value, false);
    }

    /** {@code 24h}, {@code 90m}, {@code 45s}, {@code 300ms}. */
    static String human(Duration d) {
        if (!d.isZero() && d.toMillis() % 3_600_000 == 0) {
            return d.toHours() + "h";
        }
        if (!d.isZero() && d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + "m";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}
