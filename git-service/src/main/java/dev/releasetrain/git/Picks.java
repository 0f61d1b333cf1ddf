package dev.releasetrain.git;

import dev.releasetrain.worker.StepFailure;
import org.eclipse.jgit.api.CherryPickCommand;
import org.eclipse.jgit.api.CherryPickResult;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cherry-picks that say where they come from: each pick's message ends with
 * {@code (cherry picked from commit <source>)}, as {@code git cherry-pick -x} writes it, and that trailer is how a
 * later run knows a commit was already picked.
 */
final class Picks {
    private static final Pattern TRAILER = Pattern.compile("\\(cherry picked from commit ([0-9a-f]{40})\\)");

    private Picks() {
    }

    /** A pick that conflicts: the paths in conflict. */
    static final class Conflict extends Exception {
        final List<String> paths;

        Conflict(List<String> paths) {
            super("conflicts in " + paths);
            this.paths = paths;
        }
    }

    /** Source commit (from the trailer) to the pick, for the commits reachable from {@code head} but not from {@code base}. */
    static Map<ObjectId, ObjectId> picked(Workspace ws, ObjectId head, ObjectId base) {
        Map<ObjectId, ObjectId> out = new LinkedHashMap<>();
        try (RevWalk walk = new RevWalk(ws.repo())) {
            walk.markStart(walk.parseCommit(head));
            if (base != null) {
                walk.markUninteresting(walk.parseCommit(base));
            }
            for (RevCommit c : walk) {
                Matcher m = TRAILER.matcher(c.getFullMessage());
                while (m.find()) {
                    out.putIfAbsent(ObjectId.fromString(m.group(1)), c.copy());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Applies {@code source} on the detached HEAD and commits it with the source's author and message plus the
     * trailer. Empty when the change is already there (nothing to commit). The working tree is left at the pick,
     * or, on a conflict, reset to where it was.
     */
    static Optional<RevCommit> pick(Workspace ws, RevCommit source, PersonIdent committer) throws Conflict {
        ObjectId before = ws.resolve("HEAD").orElseThrow();
        try {
            CherryPickCommand cherryPick = ws.git().cherryPick().include(source).setNoCommit(true);
            if (source.getParentCount() > 1) {
                cherryPick.setMainlineParentNumber(1);
            }
            CherryPickResult result = cherryPick.call();
            switch (result.getStatus()) {
                case OK -> {
                }
                case CONFLICTING -> {
                    List<String> paths = List.copyOf(new TreeSet<>(ws.git().status().call().getConflicting()));
                    ws.checkout(before);
                    throw new Conflict(paths);
                }
                default -> {
                    ws.checkout(before);
                    throw new StepFailure("cherry-pick of " + source.name() + " failed: " + result.getStatus()
                            + (result.getFailingPaths() == null ? "" : " " + result.getFailingPaths()), true);
                }
            }
            Status status = ws.git().status().call();
            if (!status.hasUncommittedChanges()) {
                return Optional.empty();
            }
            PersonIdent author = source.getAuthorIdent();
            String message = source.getFullMessage().stripTrailing() + "\n\n" + Release.cherryPickTrailer(source.name()) + "\n";
            return Optional.of(ws.commitFiles(List.of(), message, author, committer));
        } catch (GitAPIException e) {
            ws.checkout(before);
            throw new StepFailure("cherry-pick of " + source.name() + " failed: " + e.getMessage(), true, e);
        }
    }
}
