package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code git.update-playground-values}: in the {@code vpc} repository, {@code image.tag} of
 * {@code client_values/posthog/playground.yaml} set to {@code imageTag}, every other line unchanged, committed
 * ({@code playground: deploy [imageTag]}) and pushed to the default branch. Outputs {@code commit} (the default
 * branch's head holding the values), {@code path}, {@code valuesYaml} (the whole file). When the file already has
 * that tag (a second run) nothing is committed. A push that loses to a concurrent one is redone on the new head.
 */
@Singleton
public class UpdatePlaygroundValues extends GitStep {

    @Inject
    public UpdatePlaygroundValues(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.update-playground-values";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String imageTag = ctx.params().getOrDefault("imageTag", "release-" + version + "-unstable");
        String path = settings.valuesPath();
        String branch = heads(settings.vpc().defaultBranch());
        try (Workspace ws = open(settings.vpc())) {
            for (int attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
                ObjectId head = require(ws.remoteRefs(), branch, ws);
                ws.fetch(branch);
                String values = ws.read(head, path).orElseThrow(() -> new StepFailure(path + " not found on "
                        + settings.vpc().defaultBranch() + " of " + Workspace.display(ws.url()), false));
                String updated = values(values, imageTag, path);
                if (updated.equals(values)) {
                    return done(head, path, values);
                }
                ws.checkout(head);
                ws.write(path, updated);
                PersonIdent bot = Release.bot(settings, Instant.now().truncatedTo(ChronoUnit.SECONDS));
                RevCommit commit = ws.commitFiles(List.of(path), "playground: deploy " + imageTag, bot, bot);
                if (ws.push(commit, branch, head) == Workspace.Pushed.DONE) {
                    return done(commit, path, updated);
                }
            }
            throw leaseLost(branch, ws);
        }
    }

    /** The values file deploying {@code imageTag}: {@code image.tag} set, every other line as it was. */
    static String values(String values, String imageTag, String path) {
        return FileEdits.setInBlock(values, "image", "tag", imageTag, path);
    }

    private static StepOutcome done(ObjectId commit, String path, String values) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commit", commit.name());
        out.put("path", path);
        out.put("valuesYaml", values);
        return StepOutcome.succeeded(out);
    }
}
