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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.bump-version}: on {@code base} (the cut, or for a patch the release branch head), {@code VERSION} in
 * {@code posthog/version.py} and a new first entry {@code {"version", "release_date"}} in
 * {@code posthog/versions.json}, committed as {@code chore: Bump version to [v]}; every other byte unchanged.
 * Outputs {@code commit}, {@code files}.
 *
 * <p>The commit is deterministic: the configured bot as author and committer, at a time derived from the release
 * ({@code freezeTime}, else {@code releaseDate} at 00:00 UTC), so making it again from the same base gives the same
 * id on any worker. It is not pushed to the release branch here (that is {@code git.push-release-branch}, which
 * starts CI); it is stored on the app remote as {@code refs/release-train/[v]/bump}, so the push step never
 * depends on this worker's disk. A second run finds that ref: success if it sits on {@code base}, a clear failure if
 * it was made on another base.
 */
@Singleton
public class BumpVersion extends GitStep {
    static final String VERSION_PY = "posthog/version.py";
    static final String VERSIONS_JSON = "posthog/versions.json";

    @Inject
    public BumpVersion(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.bump-version";
    }

    static String message(String version) {
        return "chore: Bump version to " + version;
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String releaseDate = ctx.param("releaseDate");
        ObjectId base = CollectChangelog.parseId(ctx.param("base"), "base");
        PersonIdent bot = Release.bot(settings, Release.time(ctx, "freezeTime", "releaseDate"));
        String record = settings.recordRef(version, "bump");
        String branch = heads(Release.releaseBranch(ctx, settings, version));
        try (Workspace ws = open(settings.app())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                Optional<ObjectId> recorded = Workspace.id(refs, record);
                if (recorded.isPresent()) {
                    ws.fetch(record);
                    RevCommit bump = ws.commit(recorded.get());
                    if (bump.getParentCount() != 1 || !bump.getParent(0).equals(base)
                            || !bump.getShortMessage().equals(message(version))) {
                        throw new StepFailure("a version bump to " + version + " is already recorded (" + record + " at "
                                + bump.name() + ") on " + (bump.getParentCount() > 0 ? bump.getParent(0).name() : "no parent")
                                + ", not on base " + base.name() + "; delete that ref to bump again", false);
                    }
                    return done(bump, changedFiles(ws, bump));
                }
                List<String> wanted = new ArrayList<>();
                refs.keySet().stream().filter(r -> r.startsWith(settings.recordRefs() + version + "/")
                        || r.equals(branch) || r.equals(heads(settings.app().defaultBranch()))).forEach(wanted::add);
                ws.fetch(wanted);
                if (!ws.has(base)) {
                    throw new StepFailure("base commit " + base.name() + " is not in " + Workspace.display(ws.url())
                            + " on " + wanted, false);
                }
                RevCommit bump = bumpCommit(ws, base, version, releaseDate, bot);
                if (ws.push(bump, record, ObjectId.zeroId()) == Workspace.Pushed.DONE) {
                    return done(bump, changedFiles(ws, bump));
                }
            }
            throw leaseLost(record, ws);
        }
    }

    /** The bump commit on {@code base}; the same id every time for the same inputs. */
    static RevCommit bumpCommit(Workspace ws, ObjectId base, String version, String releaseDate, PersonIdent bot) {
        String py = ws.read(base, VERSION_PY).orElseThrow(() -> new StepFailure(VERSION_PY + " not found in "
                + base.name(), false));
        String json = ws.read(base, VERSIONS_JSON).orElseThrow(() -> new StepFailure(VERSIONS_JSON + " not found in "
                + base.name(), false));
        String newPy = FileEdits.versionPy(py, version);
        String newJson = FileEdits.versionsJson(json, version, releaseDate);
        if (newPy.equals(py) && newJson.equals(json)) {
            throw new StepFailure("base " + base.name() + " is already at version " + version + " with release date "
                    + releaseDate + ": nothing to bump", false);
        }
        ws.checkout(base);
        ws.write(VERSION_PY, newPy);
        ws.write(VERSIONS_JSON, newJson);
        return ws.commitFiles(List.of(VERSION_PY, VERSIONS_JSON), message(version), bot, bot);
    }

    private static List<String> changedFiles(Workspace ws, RevCommit bump) {
        List<String> files = new ArrayList<>();
        for (String path : List.of(VERSION_PY, VERSIONS_JSON)) {
            if (!ws.read(bump, path).equals(ws.read(bump.getParent(0), path))) {
                files.add(path);
            }
        }
        return files;
    }

    private static StepOutcome done(RevCommit bump, List<String> files) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commit", bump.name());
        out.put("files", files);
        return StepOutcome.succeeded(out);
    }
}
