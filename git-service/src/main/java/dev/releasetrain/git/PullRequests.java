package dev.releasetrain.git;

import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One pull request per head branch: an open or merged one from the same head is reused, not duplicated. */
final class PullRequests {
    private PullRequests() {
    }

    static Optional<GHPullRequest> existing(GHRepository repo, String head, String base) throws IOException {
        for (GHPullRequest pr : repo.queryPullRequests().head(repo.getOwnerName() + ":" + head).base(base)
                .state(GHIssueState.ALL).list().toList()) {
            if (pr.getState() == GHIssueState.OPEN || pr.isMerged()) {
                return Optional.of(pr);
            }
        }
        return Optional.empty();
    }

    /** The open (or merged) pull request from {@code head} to {@code base}, created if there is none, with the labels. */
    static GHPullRequest ensure(GHRepository repo, String head, String base, String title, String body,
                                List<String> labels) throws IOException {
        GHPullRequest pr = existing(repo, head, base).orElse(null);
        if (pr == null) {
            try {
                pr = repo.createPullRequest(title, head, base, body);
            } catch (HttpException e) {
                if (e.getResponseCode() != 422) {
                    throw e;
                }
                // another attempt created it meanwhile ("A pull request already exists")
                pr = existing(repo, head, base).orElseThrow(() -> e);
            }
        }
        List<String> missing = new ArrayList<>(labels);
        for (GHLabel l : pr.getLabels()) {
            missing.remove(l.getName());
        }
        if (!missing.isEmpty()) {
            pr.addLabels(missing.toArray(String[]::new));
        }
        return pr;
    }
}
