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
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's source in the sandbox's bare {@code posthog} repository: what an image was built from, and so what
 * the deployed app reports ({@code posthog/version.py} at the image's commit). Works on the bare repository
 * directly (no clone), so tests in any class loader can use it on the path of a running sandbox's remote.
 */
public final class AppSource {

    /** The file the app reads its version from. */
    public static final String VERSION_FILE = "posthog/version.py";
    private static final Pattern VERSION = Pattern.compile("^VERSION\\s*=\\s*[\"']([^\"']+)[\"']", Pattern.MULTILINE);

    private AppSource() {
    }

    private static Repository open(Path bare) throws IOException {
        return new FileRepositoryBuilder().setGitDir(bare.toFile()).setMustExist(true).build();
    }

    /**
     * The commit a revision names: a commit id, {@code refs/heads/X}, {@code refs/tags/X} (annotated tags peeled),
     * or a short branch or tag name.
     *
     * @throws IllegalArgumentException when the repository has no such commit
     */
    public static String resolve(Path bare, String revision) {
        try (Repository r = open(bare); RevWalk walk = new RevWalk(r)) {
            ObjectId id = r.resolve(revision + "^{commit}");
            if (id == null) {
                throw new IllegalArgumentException("no commit " + revision + " in " + bare.getFileName());
            }
            return walk.parseCommit(id).name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.eclipse.jgit.errors.RevisionSyntaxException e) {
            throw new IllegalArgumentException("not a revision: " + revision, e);
        }
    }

    /** The version in {@code posthog/version.py} at {@code commit}; empty when the commit or the file is missing. */
    public static Optional<String> version(Path bare, String commit) {
        try (Repository r = open(bare); RevWalk walk = new RevWalk(r)) {
            ObjectId id = ObjectId.fromString(commit);
            if (!r.getObjectDatabase().has(id)) {
                return Optional.empty();
            }
            RevCommit c = walk.parseCommit(id);
            try (TreeWalk tw = TreeWalk.forPath(r, VERSION_FILE, c.getTree())) {
                if (tw == null) {
                    return Optional.empty();
                }
                String text = new String(r.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
                Matcher m = VERSION.matcher(text);
                return m.find() ? Optional.of(m.group(1)) : Optional.empty();
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not a commit id
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits {@code files} (path -> content) on top of {@code from} and points {@code refs/heads/<branch>} at the
     * new commit (created or moved), as a push of that branch would; returns the commit id. The sandbox's CI
     * sees the branch move like any push.
     */
    public static String commit(Path bare, String branch, String from, Map<String, String> files, String message) {
        String parentId = resolve(bare, from);
        try (Repository r = open(bare); RevWalk walk = new RevWalk(r); ObjectInserter ins = r.newObjectInserter();
             ObjectReader reader = r.newObjectReader()) {
            RevCommit parent = walk.parseCommit(ObjectId.fromString(parentId));
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
            builder.finish();
            DirCacheEditor editor = index.editor();
            for (Map.Entry<String, String> f : files.entrySet()) {
                ObjectId blob = ins.insert(Constants.OBJ_BLOB, f.getValue().getBytes(StandardCharsets.UTF_8));
                editor.add(new DirCacheEditor.PathEdit(f.getKey()) {
                    @Override
                    public void apply(DirCacheEntry ent) {
                        ent.setFileMode(FileMode.REGULAR_FILE);
                        ent.setObjectId(blob);
                    }
                });
            }
            editor.finish();
            PersonIdent who = new PersonIdent("Sandbox", "sandbox@posthog.com", Instant.now(), ZoneOffset.UTC);
            CommitBuilder cb = new CommitBuilder();
            cb.setTreeId(index.writeTree(ins));
            cb.setParentId(parent);
            cb.setAuthor(who);
            cb.setCommitter(who);
            cb.setMessage(message);
            ObjectId id = ins.insert(cb);
            ins.flush();
            RefUpdate update = r.updateRef("refs/heads/" + branch);
            update.setNewObjectId(id);
            update.setForceUpdate(true);
            RefUpdate.Result result = update.update();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED
                    && result != RefUpdate.Result.FAST_FORWARD && result != RefUpdate.Result.NO_CHANGE) {
                throw new IllegalStateException("could not move " + branch + " to " + id.name() + ": " + result);
            }
            return id.name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version bump: {@code posthog/version.py} at {@code version} on top of {@code from}, on {@code branch}. */
    public static String commitVersion(Path bare, String branch, String from, String version) {
        return commit(bare, branch, from, Map.of(VERSION_FILE, GitFixtures.versionPy(version)),
                "chore: Bump version to " + version);
    }
}
