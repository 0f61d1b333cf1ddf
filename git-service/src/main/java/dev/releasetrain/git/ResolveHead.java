package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code git.resolve-head}: the commit at the head of the app repository's default branch, read with
 * {@code git ls-remote --heads} (no clone). Outputs {@code branch} and {@code commit}.
 */
@ApplicationScoped
public class ResolveHead implements StepHandler {

    @ConfigProperty(name = "release-train.git.repository-url")
    String repositoryUrl;

    @ConfigProperty(name = "release-train.git.default-branch", defaultValue = "master")
    String defaultBranch;

    @Override
    public String stepId() {
        return "git.resolve-head";
    }

    @Override
    public StepOutcome run(StepContext ctx) throws Exception {
        Map<String, Ref> heads = Git.lsRemoteRepository()
                .setRemote(repositoryUrl)
                .setHeads(true)
                .callAsMap();
        Ref head = heads.get(Constants.R_HEADS + defaultBranch);
        if (head == null || head.getObjectId() == null) {
            TreeSet<String> branches = new TreeSet<>();
            heads.keySet().forEach(name -> branches.add(name.substring(Constants.R_HEADS.length())));
            return StepOutcome.failed("branch '" + defaultBranch + "' not found in " + RepositoryUrls.display(repositoryUrl)
                    + "; its branches are " + branches, false);
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("branch", defaultBranch);
        outputs.put("commit", head.getObjectId().name());
        return StepOutcome.succeeded(outputs);
    }
}
