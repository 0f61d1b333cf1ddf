package dev.releasetrain.git;

import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.worker.StepFailure;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.Merger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The version bump of a release brought onto the default branch, for {@code git.sync-version} and
 * {@code git.await-sync-merge}.
 *
 * <p>A bump that changes only {@code posthog/version.py} and {@code posthog/versions.json} (what
 * {@code git.bump-version} commits) is applied by what it means rather than by its lines: {@code version.py} never
 * goes back (a default branch already at a newer version, after a patch of an older minor or two releases at once
 * whose newer one synced first, keeps it), and {@code versions.json} gets the release's entry in version order. On a
 * default branch that has not moved, that is exactly the cherry-pick. Any other commit is cherry-picked; a conflict
 * there is a failure for a person. Every commit carries the {@code (cherry picked from commit ...)} trailer of its
 * source, so a later run knows the bump is there.
 */
final class VersionSync {
    private static final Set<String> VERSION_FILES = Set.of(BumpVersion.VERSION_PY, BumpVersion.VERSIONS_JSON);

    private VersionSync() {
    }

    /** The tip after bringing {@code bumps} onto {@code onto} (checked out and committed in {@code ws}). */
    static ObjectId build(Workspace ws, ObjectId onto, List<ObjectId> bumps, String version, String base, PersonIdent bot) {
        ws.checkout(onto);
        ObjectId tip = onto;
        for (ObjectId bump : bumps) {
            RevCommit source = ws.commit(bump);
            if (VERSION_FILES.containsAll(changedPaths(ws, source))) {
                Optional<RevCommit> applied = applyByMeaning(ws, source, tip, version, base, bot);
                if (applied.isPresent()) {
                    tip = applied.get();
                }
                continue;
            }
            try {
                Optional<RevCommit> pick = Picks.pick(ws, source, bot);
                if (pick.isPresent()) {
                    tip = pick.get();
                }
            } catch (Picks.Conflict conflict) {
                throw new StepFailure("cherry-pick of the version bump " + bump.name() + " onto " + base
                        + " conflicts in " + String.join(", ", conflict.paths) + "; nothing was pushed: sync the "
                        + "version by hand", false);
            }
        }
        return tip;
    }

    /** True when {@code head} merges into {@code base} without a conflict (what GitHub calls mergeable). */
    static boolean mergesCleanly(Workspace ws, ObjectId head, ObjectId base) {
        try {
            Merger merger = MergeStrategy.RECURSIVE.newMerger(ws.repo(), true);
            return merger.merge(base, head);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bump by what it means: {@code version.py} at the release's version unless the default branch is at a newer
     * one, the release's entry in {@code versions.json} in version order; on a default branch that has not moved
     * since the release branch was cut, exactly the change a cherry-pick makes. Empty when nothing is left to change.
     */
    private static Optional<RevCommit> applyByMeaning(Workspace ws, RevCommit bump, ObjectId onto, String version,
                                                    String base, PersonIdent bot) {
        String bumpJson = ws.read(bump, BumpVersion.VERSIONS_JSON).orElseThrow(() -> new StepFailure(
                BumpVersion.VERSIONS_JSON + " not found in the version bump " + bump.name(), false));
        String releaseDate = AwaitSyncMerge.releaseDateOf(bumpJson, version).orElseThrow(() -> new StepFailure(
                "the version bump " + bump.name() + " does not list " + version + " in " + BumpVersion.VERSIONS_JSON, false));
        String py = ws.read(onto, BumpVersion.VERSION_PY).orElseThrow(() -> new StepFailure(
                BumpVersion.VERSION_PY + " not found on " + base + " at " + onto.name(), false));
        String json = ws.read(onto, BumpVersion.VERSIONS_JSON).orElseThrow(() -> new StepFailure(
                BumpVersion.VERSIONS_JSON + " not found on " + base + " at " + onto.name(), false));
        String current = FileEdits.versionOfPy(py);
        boolean newer = SemVer.tryParse(current).filter(v -> v.compareTo(SemVer.parse(version)) > 0).isPresent();
        String newPy = newer ? py : FileEdits.versionPy(py, version);
        String newJson = FileEdits.versionsJson(json, version, releaseDate);
        if (newPy.equals(py) && newJson.equals(json)) {
            return Optional.empty();
        }
        ws.checkout(onto);
        ws.write(BumpVersion.VERSION_PY, newPy);
        ws.write(BumpVersion.VERSIONS_JSON, newJson);
        String message = bump.getFullMessage().stripTrailing() + "\n\n"
                + (newer ? base + " is at " + current + ": " + BumpVersion.VERSION_PY + " keeps it, and "
                + BumpVersion.VERSIONS_JSON + " lists " + version + " in version order.\n\n" : "")
                + Release.cherryPickTrailer(bump.name()) + "\n";
        return Optional.of(ws.commitFiles(List.of(BumpVersion.VERSION_PY, BumpVersion.VERSIONS_JSON), message,
                bump.getAuthorIdent(), bot));
    }

    /** The paths a commit changes against its first parent. */
    private static List<String> changedPaths(Workspace ws, RevCommit commit) {
        List<String> paths = new ArrayList<>();
        try (TreeWalk walk = new TreeWalk(ws.repo())) {
            walk.addTree(ws.commit(commit.getParent(0)).getTree());
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            walk.setFilter(TreeFilter.ANY_DIFF);
            while (walk.next()) {
                paths.add(walk.getPathString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return paths;
    }
}
