package dev.releasetrain.git;

import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.util.Map;

/** What the git steps share: the settings, the GitHub access, local clones. */
abstract class GitStep implements StepHandler {
    /** Attempts at a push whose lease was lost to a concurrent writer, before the step fails (retryable). */
    static final int LEASE_ATTEMPTS = 3;

    final GitSettings settings;
    final GitHubAccess github;

    GitStep(GitSettings settings, GitHubAccess github) {
        this.settings = settings;
        this.github = github;
    }

    Workspace open(GitSettings.Repo repo) {
        return Workspace.open(settings.cacheDir(), repo.url(), github.credentials());
    }

    GHRepository githubRepository(String fullName) {
        try {
            return github.client().getRepository(fullName);
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot read repository " + fullName + " on GitHub", e);
        }
    }

    static String heads(String branch) {
        return Constants.R_HEADS + branch;
    }

    static String tags(String tag) {
        return Constants.R_TAGS + tag;
    }

    static StepFailure leaseLost(String ref, Workspace ws) {
        return new StepFailure(ref + " in " + Workspace.display(ws.url()) + " kept moving while this step pushed ("
                + LEASE_ATTEMPTS + " attempts); try again", true);
    }

    static ObjectId require(Map<String, org.eclipse.jgit.lib.Ref> refs, String name, Workspace ws) {
        return Workspace.id(refs, name).orElseThrow(() -> new StepFailure(name + " not found in "
                + Workspace.display(ws.url()), false));
    }
}
