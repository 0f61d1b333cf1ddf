package dev.releasetrain.cli;

import dev.releasetrain.sandbox.Sandbox;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;

/** What the demo and the tests read back from the sandbox to check a release's effects. */
final class SandboxFacts {
    private SandboxFacts() {
    }

    /** A bare repository of the sandbox's git remotes, which must exist. */
    private static Repository open(Sandbox sandbox, String repo) throws IOException {
        return new FileRepositoryBuilder().setGitDir(sandbox.gitRepositoryPath(repo).toFile()).setMustExist(true).build();
    }

    /** The commit a branch of a sandbox remote points at, read from the bare repository itself. */
    static String headCommit(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            if (id == null) {
                throw new IllegalStateException("sandbox repo " + repo + " has no branch " + branch);
            }
            return id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commit a branch points at, or null when the branch does not exist. */
    static String branchHead(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            return id == null ? null : id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths a branch's tip commit changed against its first parent (empty when the branch does not exist). */
    static java.util.List<String> changedFiles(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r);
             org.eclipse.jgit.treewalk.TreeWalk tw = new org.eclipse.jgit.treewalk.TreeWalk(r)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            if (id == null) {
                return java.util.List.of();
            }
            org.eclipse.jgit.revwalk.RevCommit tip = walk.parseCommit(id);
            org.eclipse.jgit.revwalk.RevCommit parent = walk.parseCommit(tip.getParent(0));
            tw.setRecursive(true);
            tw.addTree(parent.getTree());
            tw.addTree(tip.getTree());
            tw.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
            java.util.List<String> paths = new java.util.ArrayList<>();
            while (tw.next()) {
                paths.add(tw.getPathString());
            }
            return paths;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The short message of the commit a branch points at, or null when the branch does not exist. */
    static String commitMessage(Sandbox sandbox, String repo, String branch) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            ObjectId id = r.resolve("refs/heads/" + branch);
            return id == null ? null : walk.parseCommit(id).getShortMessage();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The message of an annotated tag, or null when there is no such annotated tag. */
    static String tagMessage(Sandbox sandbox, String repo, String tag) {
        try (Repository r = open(sandbox, repo);
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(r)) {
            ObjectId id = r.resolve("refs/tags/" + tag);
            if (id == null) {
                return null;
            }
            var object = walk.parseAny(id);
            return object instanceof org.eclipse.jgit.revwalk.RevTag t ? t.getFullMessage().trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
