package dev.releasetrain.notify;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHContent;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRef;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GHUser;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code notify.draft-release-post}: renders the "PostHog Array" post ({@link ReleasePost}) from the changelog
 * (params {@code log}, {@code highlights}, {@code externalContributors}) and opens it as a pull request on the
 * website repository from branch {@code release-post-[v]}, review requested from the marketing reviewer. Not merged.
 *
 * <p>Idempotent, checking before each action: a pull request from that branch (open, or already merged) is reused
 * as it is (the reviewer may have edited the post on the branch); otherwise the branch is created from the default
 * branch if missing, the file written if missing or different, then the pull request opened. Outputs
 * {@code pullRequest} (number), {@code url}, {@code branch}, {@code path}.
 */
@ApplicationScoped
public class DraftReleasePost implements StepHandler {
    private static final Logger LOG = Logger.getLogger(DraftReleasePost.class);

    @Inject
    Website website;

    @Override
    public String stepId() {
        return "notify.draft-release-post";
    }

    /**
     * The post as the step drafts it: the file {@code path} with {@code markdown} on {@code branch} of the website
     * {@code repository}, and the pull request's {@code title}.
     */
    public record Draft(String repository, String branch, String path, String title, String markdown) {
    }

    /** What {@link #run} writes and opens for {@code ctx} (the plan shows the same); nothing is read or written. */
    public Draft draft(StepContext ctx) {
        String version = ctx.releaseId();
        String path = website.path(version);
        String markdown = ReleasePost.markdown(version, ctx.params().get("previousVersion"), ctx.params().get("releaseDate"),
                ctx.param("log"), ctx.params().get("highlights"), ctx.params().get("externalContributors"),
                website.appRepositoryUrl());
        return new Draft(website.repositoryName(), website.branch(version), path, title(version), markdown);
    }

    static String title(String version) {
        return "Array " + version + ": release post";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = ctx.releaseId();
        Draft draft = draft(ctx);
        String branch = draft.branch();
        String path = draft.path();
        String markdown = draft.markdown();
        GHRepository repo = website.repository();
        String base = repo.getDefaultBranch();

        GHPullRequest pr = existing(repo, branch).orElse(null);
        if (pr != null) {
            LOG.infof("release %s: reusing pull request #%d of %s from %s", version, pr.getNumber(), website.repositoryName(), branch);
        } else {
            ensureBranch(repo, branch, base);
            ensureFile(repo, branch, path, markdown, version);
            pr = open(repo, version, branch, base, path);
        }
        requestReview(pr);

        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("pullRequest", pr.getNumber());
        outputs.put("url", pr.getHtmlUrl().toString());
        outputs.put("branch", branch);
        outputs.put("path", path);
        return StepOutcome.succeeded(outputs);
    }

    /** The open pull request from the branch, else a merged one (the post went out already). */
    private Optional<GHPullRequest> existing(GHRepository repo, String branch) {
        String head = website.owner() + ":" + branch;
        try {
            List<GHPullRequest> open = repo.queryPullRequests().head(head).state(GHIssueState.OPEN).list().toList();
            if (!open.isEmpty()) {
                return Optional.of(open.get(0));
            }
            for (GHPullRequest p : repo.queryPullRequests().head(head).state(GHIssueState.CLOSED).list().toList()) {
                if (p.isMerged()) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw Website.failure("listing pull requests of " + website.repositoryName() + " from " + head, e);
        }
    }

    private void ensureBranch(GHRepository repo, String branch, String base) {
        try {
            repo.getRef("heads/" + branch);
            return;
        } catch (GHFileNotFoundException missing) {
            // create it below
        } catch (IOException e) {
            throw Website.failure("reading branch " + branch + " of " + website.repositoryName(), e);
        }
        try {
            GHRef baseRef = repo.getRef("heads/" + base);
            repo.createRef("refs/heads/" + branch, baseRef.getObject().getSha());
        } catch (IOException e) {
            throw Website.failure("creating branch " + branch + " from " + base + " in " + website.repositoryName(), e);
        }
    }

    private void ensureFile(GHRepository repo, String branch, String path, String markdown, String version) {
        GHContent current = null;
        try {
            current = repo.getFileContent(path, branch);
        } catch (GHFileNotFoundException missing) {
            // write it below
        } catch (IOException e) {
            throw Website.failure("reading " + path + " on " + branch, e);
        }
        try {
            if (current != null && markdown.equals(current.getContent())) {
                return;
            }
            var update = repo.createContent().path(path).branch(branch).content(markdown)
                    .message(title(version));
            if (current != null) {
                update.sha(current.getSha());
            }
            update.commit();
        } catch (IOException e) {
            throw Website.failure("writing " + path + " on " + branch, e);
        }
    }

    private GHPullRequest open(GHRepository repo, String version, String branch, String base, String path) {
        String body = "The release post of PostHog " + version + " (`" + path + "`), drafted by Release Train from the "
                + "changelog.\n\n@" + website.reviewer() + ": please review and edit it on this branch. Release Train merges "
                + "it on release day (step `notify.publish-release-post`) once it is approved.";
        try {
            return repo.createPullRequest(title(version), branch, base, body);
        } catch (HttpException e) {
            if (e.getResponseCode() == 422) {
                // Opened in the meantime (a parallel attempt): take that one.
                Optional<GHPullRequest> raced = existing(repo, branch);
                if (raced.isPresent()) {
                    return raced.get();
                }
            }
            throw Website.failure("opening the pull request from " + branch + " to " + base, e);
        } catch (IOException e) {
            throw Website.failure("opening the pull request from " + branch + " to " + base, e);
        }
    }

    private void requestReview(GHPullRequest pr) {
        try {
            if (pr.isMerged() || pr.getState() != GHIssueState.OPEN) {
                return;
            }
            boolean requested = pr.getRequestedReviewers().stream().anyMatch(u -> u.getLogin().equalsIgnoreCase(website.reviewer()));
            if (!requested) {
                GHUser reviewer = website.client().getUser(website.reviewer());
                pr.requestReviewers(List.of(reviewer));
            }
        } catch (IOException e) {
            throw Website.failure("requesting a review of pull request #" + pr.getNumber() + " from " + website.reviewer(), e);
        }
    }
}
