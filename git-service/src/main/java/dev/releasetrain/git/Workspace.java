package dev.releasetrain.git;

import dev.releasetrain.worker.StepFailure;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A local working clone of one remote, used only as a cache: every step reads the remote's refs afresh
 * ({@code ls-remote}), fetches what it needs, works on a detached HEAD and publishes by pushing with an
 * expected old value (a lease), so nothing depends on what an earlier step left on this disk.
 * One step at a time per clone (a lock in this JVM and a file lock for other processes); a clone that cannot
 * be opened is thrown away and made again. Remote refs are fetched to {@code refs/cache/<ref without refs/>}.
 */
final class Workspace implements AutoCloseable {
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final String CACHE = "refs/cache/";

    private final String url;
    private final Path dir;
    private final CredentialsProvider credentials;
    private final ReentrantLock lock;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final Git git;

    private Workspace(String url, Path dir, CredentialsProvider credentials) throws IOException {
        this.url = url;
        this.dir = dir;
        this.credentials = credentials;
        this.lock = LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
        lock.lock();
        FileChannel channel = null;
        FileLock held = null;
        Git opened = null;
        try {
            Files.createDirectories(dir.getParent());
            channel = FileChannel.open(dir.resolveSibling(dir.getFileName() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            held = channel.lock();
            opened = openOrCreate();
        } catch (IOException | RuntimeException e) {
            if (held != null) {
                held.release();
            }
            if (channel != null) {
                channel.close();
            }
            lock.unlock();
            throw e;
        }
        this.lockChannel = channel;
        this.fileLock = held;
        this.git = opened;
    }

    /** Opens (or makes) the cache clone of {@code url} under {@code cacheRoot}, holding it until closed. */
    static Workspace open(Path cacheRoot, String url, CredentialsProvider credentials) {
        try {
            return new Workspace(url, cacheRoot.toAbsolutePath().resolve(CacheDirs.dirName(url)), credentials);
        } catch (IOException e) {
            throw new StepFailure("cannot open the local clone of " + display(url) + ": " + e.getMessage(), true, e);
        }
    }

    private Git openOrCreate() throws IOException {
        if (Files.isDirectory(dir.resolve(".git"))) {
            try (Stream<Path> files = Files.walk(dir.resolve(".git"))) {
                // we hold the lock: a *.lock left by a crashed step is stale
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".lock")).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            try {
                Repository repo = new FileRepositoryBuilder().setWorkTree(dir.toFile()).setMustExist(true).build();
                repo.getRefDatabase().getRefs();
                return configure(new Git(repo));
            } catch (IOException | RuntimeException broken) {
                CacheDirs.deleteRecursively(dir);
            }
        } else if (Files.exists(dir)) {
            CacheDirs.deleteRecursively(dir);
        }
        try {
            return configure(Git.init().setDirectory(dir.toFile()).setInitialBranch("cache").call());
        } catch (GitAPIException e) {
            throw new IOException("cannot create a clone in " + dir, e);
        }
    }

    private static Git configure(Git git) throws IOException {
        StoredConfig config = git.getRepository().getConfig();
        // the machine's ~/.gitconfig must not change bytes, sign or hook anything
        config.setBoolean("core", null, "autocrlf", false);
        config.setString("core", null, "eol", "lf");
        config.setBoolean("commit", null, "gpgsign", false);
        config.setBoolean("tag", null, "gpgsign", false);
        config.setBoolean("gc", null, "auto", false);
        config.save();
        return git;
    }

    Git git() {
        return git;
    }

    Repository repo() {
        return git.getRepository();
    }

    String url() {
        return url;
    }

    // ---------------------------------------------------------------- remote refs

    /** The remote's refs now (ls-remote): name to the object it names. */
    Map<String, Ref> remoteRefs() {
        try {
            return Git.lsRemoteRepository().setRemote(url).setCredentialsProvider(credentials).setTags(false)
                    .setHeads(false).callAsMap();
        } catch (GitAPIException e) {
            throw failure("cannot read the refs of", e);
        }
    }

    static Optional<ObjectId> id(Map<String, Ref> refs, String name) {
        Ref ref = refs.get(name);
        return ref == null ? Optional.empty() : Optional.ofNullable(ref.getObjectId());
    }

    /** Fetches these remote refs (which must exist) into the cache; returns nothing, resolve with {@link #cached}. */
    void fetch(Collection<String> remoteRefs) {
        if (remoteRefs.isEmpty()) {
            return;
        }
        List<RefSpec> specs = new ArrayList<>();
        for (String r : remoteRefs) {
            specs.add(new RefSpec("+" + r + ":" + cacheName(r)));
        }
        try {
            FetchResult ignored = git.fetch().setRemote(url).setCredentialsProvider(credentials).setRefSpecs(specs)
                    .setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS).setRemoveDeletedRefs(false).call();
        } catch (GitAPIException e) {
            throw failure("cannot fetch " + remoteRefs + " from", e);
        }
    }

    void fetch(String... remoteRefs) {
        fetch(List.of(remoteRefs));
    }

    /** What a fetched remote ref pointed at. */
    Optional<ObjectId> cached(String remoteRef) {
        try {
            Ref ref = repo().exactRef(cacheName(remoteRef));
            return ref == null ? Optional.empty() : Optional.of(ref.getObjectId());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cacheName(String remoteRef) {
        return CACHE + remoteRef.substring(Constants.R_REFS.length());
    }

    /** Whether this clone has the object (from an earlier fetch or commit). */
    boolean has(ObjectId id) {
        try {
            return repo().getObjectDatabase().has(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<ObjectId> resolve(String rev) {
        try {
            return Optional.ofNullable(repo().resolve(rev));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    RevCommit commit(ObjectId id) {
        try (RevWalk walk = new RevWalk(repo())) {
            return walk.parseCommit(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commit an object (a commit or an annotated tag) finally names. */
    RevCommit peel(ObjectId id) {
        try (RevWalk walk = new RevWalk(repo())) {
            RevObject o = walk.peel(walk.parseAny(id));
            return walk.parseCommit(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** When a tag was made: an annotated tag's tagger time, else (a lightweight tag, or no tagger) its commit's time. */
    Instant tagTime(ObjectId tag) {
        try (RevWalk walk = new RevWalk(repo())) {
            RevObject o = walk.parseAny(tag);
            if (o instanceof RevTag t && t.getTaggerIdent() != null) {
                return t.getTaggerIdent().getWhenAsInstant();
            }
            return walk.parseCommit(walk.peel(o)).getCommitterIdent().getWhenAsInstant();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAncestor(ObjectId ancestor, ObjectId of) {
        try (RevWalk walk = new RevWalk(repo())) {
            return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(of));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file at {@code path} in a commit, or empty when the commit has no such file. */
    Optional<String> read(ObjectId commit, String path) {
        try (RevWalk walk = new RevWalk(repo());
             TreeWalk tw = TreeWalk.forPath(repo(), path, walk.parseCommit(commit).getTree())) {
            if (tw == null || tw.getFileMode(0) == FileMode.TREE) {
                return Optional.empty();
            }
            ObjectLoader loader = repo().open(tw.getObjectId(0));
            return Optional.of(new String(loader.getBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- working tree

    /** Detached HEAD at {@code commit}, working tree and index exactly its tree, no untracked files. */
    void checkout(ObjectId commit) {
        try {
            RefUpdate head = repo().getRefDatabase().newUpdate(Constants.HEAD, true);
            head.setNewObjectId(commit);
            head.forceUpdate();
            git.reset().setMode(ResetCommand.ResetType.HARD).setRef(commit.name()).call();
            git.clean().setCleanDirectories(true).setForce(true).setIgnore(false).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new StepFailure("cannot check out " + commit.name() + " in the local clone of " + display(url)
                    + ": " + e.getMessage(), true, e);
        }
    }

    void write(String path, String content) {
        try {
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Commits the given paths (as written) on the detached HEAD. */
    RevCommit commitFiles(Collection<String> paths, String message, PersonIdent author, PersonIdent committer) {
        try {
            for (String p : paths) {
                git.add().addFilepattern(p).call();
            }
            return git.commit().setMessage(message).setAuthor(author).setCommitter(committer).setSign(false)
                    .setNoVerify(true).setAllowEmpty(false).call();
        } catch (GitAPIException e) {
            throw new StepFailure("cannot commit in the local clone of " + display(url) + ": " + e.getMessage(), true, e);
        }
    }

    // ---------------------------------------------------------------- push

    /** The outcome of a push of one ref. */
    enum Pushed { DONE, LEASE_LOST }

    /**
     * Sets {@code remoteRef} to {@code newId} only if it is at {@code expectedOld} ({@link ObjectId#zeroId()}: only if
     * it does not exist). A remote that moved meanwhile is {@link Pushed#LEASE_LOST}; a refusal (a protected or locked
     * ref, a hook, no permission) fails the step, not retryable, with the remote's reason.
     */
    Pushed push(ObjectId newId, String remoteRef, ObjectId expectedOld) {
        return push(newId, remoteRef, expectedOld, false);
    }

    /** As {@link #push(ObjectId, String, ObjectId)}; {@code force}: also when newId does not descend from expectedOld. */
    Pushed push(ObjectId newId, String remoteRef, ObjectId expectedOld, boolean force) {
        try (Transport transport = Transport.open(repo(), new URIish(url))) {
            if (credentials != null) {
                transport.setCredentialsProvider(credentials);
            }
            RemoteRefUpdate update = new RemoteRefUpdate(repo(), newId.name(), newId, remoteRef, force, null, expectedOld);
            PushResult result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate done = result.getRemoteUpdate(remoteRef);
            return switch (done.getStatus()) {
                case OK, UP_TO_DATE -> Pushed.DONE;
                case REJECTED_REMOTE_CHANGED -> Pushed.LEASE_LOST;
                default -> throw new StepFailure(display(url) + " refused the push of " + remoteRef + " to "
                        + newId.name() + ": " + done.getStatus()
                        + (done.getMessage() == null ? "" : " (" + done.getMessage() + ")"), false);
            };
        } catch (URISyntaxException | NotSupportedException e) {
            throw new StepFailure("cannot push to " + display(url) + ": " + e.getMessage(), false, e);
        } catch (TransportException e) {
            throw failure("cannot push " + remoteRef + " to", e);
        } catch (IOException e) {
            throw new StepFailure("cannot push " + remoteRef + " to " + display(url) + ": " + e.getMessage(), true, e);
        }
    }

    // ---------------------------------------------------------------- failures

    /** A transport failure: a missing repository or refused credentials are not retryable, the rest is. */
    StepFailure failure(String what, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NoRemoteRepositoryException) {
                return new StepFailure(what + " " + display(url) + ": repository not found", false, e);
            }
            String m = String.valueOf(t.getMessage()).toLowerCase();
            if (m.contains("not authorized") || m.contains("authentication is required") || m.contains("not permitted")
                    || m.contains("401") || m.contains("403")) {
                return new StepFailure(what + " " + display(url) + ": access denied (" + t.getMessage() + ")", false, e);
            }
        }
        return new StepFailure(what + " " + display(url) + ": " + e.getMessage(), true, e);
    }

    static String display(String url) {
        return RepositoryUrls.display(url);
    }

    @Override
    public void close() {
        try {
            git.close();
        } finally {
            try {
                fileLock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the channel closes with the process anyway
            } finally {
                lock.unlock();
            }
        }
    }
}
