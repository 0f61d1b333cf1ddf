package dev.releasetrain.notify;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHPullRequestReview;
import org.kohsuke.github.GHPullRequestReviewState;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code notify.publish-release-post}: merges the release post's pull request (param {@code pullRequest}), then
 * waits until the post is live ({@link LivePost}): its public URL, derived from the post's path in the website
 * repository (param {@code path}, else {@code release-train.notify.website.path}; see {@link Website#postUrl}),
 * answers 200 with the version in the page. Only then may the announcement link to it.
 *
 * <p>Fails not retryable, naming why, when the pull request is closed, not approved (no approving review, or
 * changes requested) or not mergeable (a conflict); retryable when the page does not come up in time. Already
 * merged is no error: a redelivery or a retry finds it merged and checks the page again, so it converges.
 * Outputs {@code merged} (true), {@code url} (the post's public URL), {@code sha} (the merge commit).
 */
@ApplicationScoped
public class PublishReleasePost implements StepHandler {
    private static final Logger LOG = Logger.getLogger(PublishReleasePost.class);

    @Inject
    Website website;

    @Inject
    LivePost live;

    @Override
    public String stepId() {
        return "notify.publish-release-post";
    }

    /** The public URL the step waits for and reports (output {@code url}): of param {@code path}, else the configured one. */
    public String postUrl(StepContext ctx) {
        String path = Optional.ofNullable(ctx.params().get("path")).map(String::strip).filter(p -> !p.isEmpty())
                .orElseGet(() -> website.path(ctx.releaseId()));
        return website.postUrl(path);
    }

    @Override
    public StepOutcome run(StepContext ctx) throws InterruptedException {
        String version = ctx.releaseId();
        String url = postUrl(ctx);
        String param = ctx.param("pullRequest");
        int number;
        try {
            number = Integer.parseInt(param.strip());
        } catch (NumberFormatException e) {
            throw new StepFailure("parameter pullRequest '" + param + "' is not a pull request number", false);
        }
        String what = "pull request #" + number + " of " + website.repositoryName();
        GHRepository repo = website.repository();
        String sha;
        try {
            GHPullRequest pr = repo.getPullRequest(number);
            if (!pr.isMerged()) {
                if (pr.getState() != GHIssueState.OPEN) {
                    throw new StepFailure(what + " is closed without being merged; reopen it or draft the post again", false);
                }
                requireApproval(pr, what);
                Boolean mergeable = pr.getMergeable();
                if (mergeable == null) {
                    throw new StepFailure("GitHub is still computing whether " + what + " can be merged", true);
                }
                if (!mergeable) {
                    throw new StepFailure(what + " is not mergeable (" + pr.getMergeableState()
                            + "): resolve its conflicts with " + pr.getBase().getRef(), false);
                }
                try {
                    pr.merge(DraftReleasePost.title(ctx.releaseId()), pr.getHead().getSha(), GHPullRequest.MergeMethod.SQUASH);
                } catch (HttpException e) {
                    if (e.getResponseCode() == 405 || e.getResponseCode() == 409) {
                        GHPullRequest now = repo.getPullRequest(number);
                        if (!now.isMerged()) {
                            throw new StepFailure("GitHub refused to merge " + what + ": " + gitHubMessage(e), false, e);
                        }
                    } else {
                        throw e;
                    }
                }
                LOG.infof("release %s: merged %s", ctx.releaseId(), what);
                pr = repo.getPullRequest(number);
            }
            sha = pr.getMergeCommitSha();
            if (sha == null) {
                sha = repo.getRef("heads/" + pr.getBase().getRef()).getObject().getSha();
            }
        } catch (IOException e) {
            throw Website.failure("merging " + what, e);
        }
        live.await(ctx, url, version);
        LOG.infof("release %s: the release post is live at %s", version, url);
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("merged", true);
        outputs.put("url", url);
        outputs.put("sha", sha);
        return StepOutcome.succeeded(outputs);
    }

    /** Each reviewer's latest decision counts; one approval and no outstanding request for changes. */
    private static void requireApproval(GHPullRequest pr, String what) throws IOException {
        Map<String, GHPullRequestReviewState> latest = new LinkedHashMap<>();
        for (GHPullRequestReview review : pr.listReviews()) {
            GHPullRequestReviewState state = review.getState();
            if (state == GHPullRequestReviewState.APPROVED || state == GHPullRequestReviewState.CHANGES_REQUESTED
                    || state == GHPullRequestReviewState.DISMISSED) {
                latest.put(review.getUser().getLogin(), state);
            }
        }
        var changes = latest.entrySet().stream().filter(e -> e.getValue() == GHPullRequestReviewState.CHANGES_REQUESTED)
                .map(Map.Entry::getKey).toList();
        if (!changes.isEmpty()) {
            throw new StepFailure(what + " is not approved: changes requested by " + String.join(", ", changes), false);
        }
        if (!latest.containsValue(GHPullRequestReviewState.APPROVED)) {
            String requested = String.join(", ", pr.getRequestedReviewers().stream().map(u -> u.getLogin()).toList());
            throw new StepFailure(what + " is not approved: no approving review"
                    + (requested.isEmpty() ? "" : " (review requested from " + requested + ")"), false);
        }
    }

    private static String gitHubMessage(HttpException e) {
        String body = String.valueOf(e.getMessage());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
        return m.find() ? m.group(1) : ReleasePost.firstLine(body);
    }
}
