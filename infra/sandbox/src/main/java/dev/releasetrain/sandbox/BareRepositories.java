package dev.releasetrain.sandbox;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ThreeWayMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Changes made directly in a seeded bare repository, as GitHub makes them on its side: a commit of one file on a
 * branch, and the merge of one branch into another (a merge commit or a squash). No working tree; each moves the
 * branch with a compare-and-set on its old value, so a push that lands meanwhile is not lost (the change is made
 * again on top of it).
 */
final class BareRepositories {
    private static final int ATTEMPTS = 5;

    private BareRepositories() {
    }

    /** The commit at the head of {@code branch}, or empty when there is no such branch. */
    static Optional<String> head(Path bare, String branch) {
        try (Repository r = open(bare)) {
            ObjectId id = r.resolve(Constants.R_HEADS + branch);
            return Optional.ofNullable(id).map(ObjectId::name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits {@code path} with {@code content} (every other file as it was) on {@code branch}; returns the new commit. */
    static String commitFile(Path bare, String branch, String path, String content, String message, PersonIdent author,
                             PersonIdent committer) {
        try (Repository r = open(bare); ObjectInserter inserter = r.newObjectInserter();
             ObjectReader reader = r.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                ObjectId old = r.resolve(Constants.R_HEADS + branch);
                if (old == null) {
                    throw new IllegalArgumentException("no branch " + branch + " in " + bare);
                }
                RevCommit parent = walk.parseCommit(old);
                DirCache index = DirCache.newInCore();
                DirCacheBuilder builder = index.builder();
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
                builder.finish();
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
                DirCacheEditor editor = index.editor();
                editor.add(new DirCacheEditor.PathEdit(path) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(FileMode.REGULAR_FILE);
                        entry.setObjectId(blob);
                    }
                });
                editor.finish();
                ObjectId tree = index.writeTree(inserter);
                ObjectId commit = insertCommit(inserter, tree, message, author, committer, parent);
                if (move(r, branch, old, commit, committer)) {
                    return commit.name();
                }
            }
            throw new IllegalStateException(branch + " in " + bare + " kept moving; the commit was not made");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Merges {@code head} into {@code base}: a commit with the three-way merge of both as its tree, whose parents are
     * the base head and (unless {@code squash}) the head branch's head. Empty when the two conflict (nothing changes
     * then); a missing branch is an {@link IllegalArgumentException}.
     */
    static Optional<String> merge(Path bare, String base, String head, boolean squash, String message, PersonIdent author,
                                  PersonIdent committer) {
        try (Repository r = open(bare); ObjectInserter inserter = r.newObjectInserter(); RevWalk walk = new RevWalk(r)) {
            ObjectId headId = r.resolve(Constants.R_HEADS + head);
            if (headId == null) {
                throw new IllegalArgumentException("no branch " + head + " in " + bare);
            }
            RevCommit headCommit = walk.parseCommit(headId);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                ObjectId old = r.resolve(Constants.R_HEADS + base);
                if (old == null) {
                    throw new IllegalArgumentException("no branch " + base + " in " + bare);
                }
                RevCommit baseCommit = walk.parseCommit(old);
                ThreeWayMerger merger = MergeStrategy.RECURSIVE.newMerger(r, true);
                if (!merger.merge(baseCommit, headCommit)) {
                    return Optional.empty();
                }
                ObjectId commit = squash
                        ? insertCommit(inserter, merger.getResultTreeId(), message, author, committer, baseCommit)
                        : insertCommit(inserter, merger.getResultTreeId(), message, author, committer, baseCommit, headCommit);
                if (move(r, base, old, commit, committer)) {
                    return Optional.of(commit.name());
                }
            }
            throw new IllegalStateException(base + " in " + bare + " kept moving; " + head + " was not merged");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectId insertCommit(ObjectInserter inserter, ObjectId tree, String message, PersonIdent author,
                                         PersonIdent committer, ObjectId... parents) throws IOException {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentIds(parents);
        commit.setAuthor(author);
        commit.setCommitter(committer);
        commit.setMessage(message);
        ObjectId id = inserter.insert(commit);
        inserter.flush();
        return id;
    }

    /** Moves the branch from {@code old} to {@code commit}; false when it is no longer at {@code old}. */
    private static boolean move(Repository r, String branch, ObjectId old, ObjectId commit, PersonIdent who) throws IOException {
        RefUpdate update = r.updateRef(Constants.R_HEADS + branch);
        update.setExpectedOldObjectId(old);
        update.setNewObjectId(commit);
        update.setRefLogIdent(who);
        update.setRefLogMessage("github: " + commit.name(), false);
        RefUpdate.Result result = update.update();
        return switch (result) {
            case NEW, FAST_FORWARD, FORCED, NO_CHANGE -> true;
            case LOCK_FAILURE, REJECTED -> false;
            default -> throw new IllegalStateException("cannot move " + branch + ": " + result);
        };
    }

    private static Repository open(Path bare) throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }
}
