package dev.releasetrain.git;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.kohsuke.github.GHDirection;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueSearchBuilder;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code git.collect-changelog}: {@code git log --pretty=format:"%s %ae" [prev]..[head]} (outputs {@code log}, the
 * {@code log.txt} content: one commit per line, newest first, no trailing newline, at most 40 KiB with a last
 * line counting the commits left out; {@code commits}, the count),
 * the authors outside the organisation's domains ({@code externalContributors}, e-mails in first-seen order, oldest
 * first) and the merged pull requests labelled {@code highlight} since the {@code [prev]} tag was made
 * ({@code highlights}: {@code number}, {@code title}, {@code url}, in merge order). Reads only: running it again
 * gives the same outputs.
 */
@Singleton
public class CollectChangelog extends GitStep {
    /** Room for the log within the runtime's 64 KiB cap on a step's outputs, beside its other outputs. */
    static final int MAX_LOG_CHARS = 40 * 1024;

    @Inject
    public CollectChangelog(GitSettings settings, GitHubAccess github) {
        super(settings, github);
    }

    @Override
    public String stepId() {
        return "git.collect-changelog";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        String version = Release.version(ctx);
        String previous = ctx.param("previousVersion");
        ObjectId head = parseId(ctx.param("head"), "head");
        List<String> lines = new ArrayList<>();
        Set<String> external = new LinkedHashSet<>();
        Instant since;
        try (Workspace ws = open(settings.app())) {
            Map<String, Ref> refs = ws.remoteRefs();
            String tag = tags(previous);
            require(refs, tag, ws);
            List<String> wanted = new ArrayList<>(List.of(tag, heads(settings.app().defaultBranch())));
            String branch = heads(Release.releaseBranch(ctx, settings, version));
            if (refs.containsKey(branch)) {
                wanted.add(branch);
            }
            refs.keySet().stream().filter(r -> r.startsWith(settings.recordRefs() + version + "/")).forEach(wanted::add);
            ws.fetch(wanted);
            if (!ws.has(head)) {
                throw new StepFailure("commit " + head.name() + " (head) is not in " + Workspace.display(ws.url())
                        + " on " + wanted, false);
            }
            ObjectId tagId = ws.cached(tag).orElseThrow();
            try (RevWalk walk = new RevWalk(ws.repo())) {
                RevObject tagged = walk.parseAny(tagId);
                since = tagged instanceof RevTag t && t.getTaggerIdent() != null
                        ? t.getTaggerIdent().getWhenAsInstant()
                        : walk.parseCommit(tagged).getCommitterIdent().getWhenAsInstant();
                RevCommit prev = walk.parseCommit(walk.peel(tagged));
                walk.reset();
                walk.markStart(walk.parseCommit(head));
                walk.markUninteresting(prev);
                List<RevCommit> commits = new ArrayList<>();
                walk.forEach(commits::add);
                for (RevCommit c : commits) {
                    lines.add(c.getShortMessage() + " " + c.getAuthorIdent().getEmailAddress());
                }
                for (int i = commits.size() - 1; i >= 0; i--) {
                    String email = commits.get(i).getAuthorIdent().getEmailAddress();
                    if (settings.isExternal(email)) {
                        external.add(email);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("log", bounded(lines, previous + ".." + head.name()));
        out.put("commits", lines.size());
        out.put("range", previous + ".." + head.name());
        out.put("externalContributors", List.copyOf(external));
        out.put("highlights", highlights(since));
        return StepOutcome.succeeded(out);
    }

    /**
     * The log's lines up to {@link #MAX_LOG_CHARS}, then one line saying how many more the range has: the
     * outputs of a step are capped by the worker runtime, and a post does not list a thousand commits.
     */
    static String bounded(List<String> lines, String range) {
        StringBuilder log = new StringBuilder();
        int kept = 0;
        for (String line : lines) {
            if (log.length() + line.length() + 1 > MAX_LOG_CHARS) {
                break;
            }
            log.append(kept++ == 0 ? "" : "\n").append(line);
        }
        if (kept < lines.size()) {
            log.append("\n… and ").append(lines.size() - kept).append(" more commits (git log ").append(range).append(')');
        }
        return log.toString();
    }

    private List<Map<String, Object>> highlights(Instant since) {
        String repoName = settings.app().github();
        try {
            GHRepository repo = githubRepository(repoName);
            GHIssueSearchBuilder search = github.client().searchIssues()
                    .q("repo:" + repoName).q("is:pr").isMerged()
                    .q("label:\"" + settings.highlightLabel() + "\"")
                    .q("merged:>=" + since.atOffset(ZoneOffset.UTC).toLocalDate())
                    .order(GHDirection.ASC);
            record Found(int number, String title, String url, Instant mergedAt) {
            }
            List<Found> found = new ArrayList<>();
            for (GHIssue issue : search.list().toList()) {
                if (!issue.isPullRequest()) {
                    continue;
                }
                GHPullRequest pr = repo.getPullRequest(issue.getNumber());
                if (pr.getMergedAt() == null || pr.getMergedAt().toInstant().isBefore(since)) {
                    continue; // the search is by day; the tag has a time
                }
                found.add(new Found(pr.getNumber(), pr.getTitle(), pr.getHtmlUrl().toString(), pr.getMergedAt().toInstant()));
            }
            found.sort(Comparator.comparing(Found::mergedAt).thenComparing(Found::number));
            List<Map<String, Object>> out = new ArrayList<>();
            for (Found f : found) {
                Map<String, Object> h = new LinkedHashMap<>();
                h.put("number", f.number());
                h.put("title", f.title());
                h.put("url", f.url());
                out.add(h);
            }
            return out;
        } catch (IOException e) {
            throw GitHubAccess.failure("cannot search the pull requests labelled " + settings.highlightLabel()
                    + " in " + repoName, e);
        }
    }

    static ObjectId parseId(String value, String param) {
        try {
            return ObjectId.fromString(value.strip());
        } catch (RuntimeException e) {
            throw new StepFailure("parameter '" + param + "' is not a full commit id: " + value, false);
        }
    }
}
