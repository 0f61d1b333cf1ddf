package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code git.tag-release}: the annotated tag {@code [v]} ({@code Version [v]}) on the release branch head, pushed
 * (CI then builds {@code release-[v]} and {@code latest-release}). The tagger is the bot at the release time
 * ({@code releaseTime}, else {@code releaseDate}), so the tag object is the same whenever it is made again. A tag
 * that exists on the same commit is success; on another commit, a clear failure. Outputs {@code tag}, {@code commit}.
 */
@Singleton
public class TagRelease extends GitStep {

    @Inject
    public TagRelease(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.tag-release";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String branch = Release.releaseBranch(ctx, settings, version);
        String tag = tags(version);
        try (Workspace ws = open(settings.app())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                Map<String, Ref> refs = ws.remoteRefs();
                ObjectId head = Workspace.id(refs, heads(branch)).orElseThrow(() -> new StepFailure("release branch "
                        + branch + " not found in " + Workspace.display(ws.url()), false));
                Optional<ObjectId> existing = Workspace.id(refs, tag);
                ws.fetch(existing.isPresent() ? new String[]{heads(branch), tag} : new String[]{heads(branch)});
                if (existing.isPresent()) {
                    RevCommit tagged = ws.peel(existing.get());
                    if (tagged.equals(head)) {
                        return done(version, head);
                    }
                    throw new StepFailure("tag " + version + " already exists in " + Workspace.display(ws.url()) + " on "
                            + tagged.name() + ", but " + branch + " is at " + head.name(), false);
                }
                ObjectId tagObject;
                try {
                    Ref local = ws.git().tag().setName(version).setAnnotated(true).setMessage("Version " + version + "\n")
                            .setTagger(Release.bot(settings, Release.time(ctx, "releaseTime", "releaseDate")))
                            .setObjectId(ws.commit(head)).setSigned(false).setForceUpdate(true).call();
                    tagObject = local.getObjectId();
                } catch (GitAPIException e) {
                    throw new StepFailure("cannot make tag " + version + " in the local clone: " + e.getMessage(), true, e);
                }
                if (ws.push(tagObject, tag, ObjectId.zeroId()) == Workspace.Pushed.DONE) {
                    return done(version, head);
                }
            }
            throw leaseLost(tag, ws);
        }
    }

    private static StepOutcome done(String version, ObjectId commit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tag", version);
        out.put("commit", commit.name());
        return StepOutcome.succeeded(out);
    }
}
