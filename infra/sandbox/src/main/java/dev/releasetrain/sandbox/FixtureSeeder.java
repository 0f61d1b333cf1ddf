package dev.releasetrain.sandbox;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A throw-away working repository in which {@link GitFixtures} writes and commits the history of one seeded
 * repository (file contents from {@link FixtureFiles}), then pushes it into the bare remote.
 */
final class FixtureSeeder implements AutoCloseable {
    private final String repo;
    private final String branch;
    private final Path workDir;
    private final Git git;

    FixtureSeeder(Path gitRoot, String repo) throws IOException, GitAPIException {
        this.repo = repo;
        this.branch = GitFixtures.defaultBranch(repo);
        this.workDir = gitRoot.resolve(".seed-" + repo);
        deleteRecursively(workDir);
        this.git = Git.init().setDirectory(workDir.toFile()).setInitialBranch(branch).call();
    }

    void write(String path, String content) throws IOException {
        Path file = workDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Writes each path as the fixture files of this repository's {@code commit} hold it. */
    void copy(String commit, String... paths) throws IOException {
        for (String path : paths) {
            write(path, FixtureFiles.read(repo + "/" + commit + "/" + path));
        }
    }

    /** Commits the paths as pull request {@code number} changed them, squash-merged with subject "title (#number)". */
    RevCommit pullRequest(String title, int number, PersonIdent who, String... paths) throws IOException, GitAPIException {
        copy(String.valueOf(number), paths);
        return commit(title + " (#" + number + ")", who);
    }

    RevCommit commit(String message, PersonIdent who) throws GitAPIException {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
    }

    void tag(String name, RevCommit on, PersonIdent tagger) throws GitAPIException {
        git.tag().setName(name).setAnnotated(true).setMessage("Version " + name).setTagger(tagger)
                .setObjectId(on).setSigned(false).call();
    }

    Path pushTo(Path gitRoot) throws IOException, GitAPIException {
        Path bare = GitFixtures.barePath(gitRoot, repo);
        deleteRecursively(bare);
        Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch(branch).call().close();
        Iterable<PushResult> results = git.push().setRemote(GitFixtures.fileUrl(bare))
                .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
                .setPushTags().call();
        for (PushResult r : results) {
            for (RemoteRefUpdate u : r.getRemoteUpdates()) {
                if (u.getStatus() != RemoteRefUpdate.Status.OK) {
                    throw new IllegalStateException("seeding " + repo + ": push of " + u.getRemoteName()
                            + " failed: " + u.getStatus() + " " + u.getMessage());
                }
            }
        }
        return bare;
    }

    @Override
    public void close() throws IOException {
        git.close();
        deleteRecursively(workDir);
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
