package dev.releasetrain.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.plan.PlanStep;
import dev.releasetrain.worker.plan.StepPlanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the notify steps of a release would post, without effects, rendered by the steps' own code: the release
 * post as {@link DraftReleasePost#draft} renders it (its markdown from the changelog params, the file, the branch,
 * the pull request's title), the public URL {@link PublishReleasePost} would wait for, and each channel message
 * as {@link Announcement#message} renders it (workspace, channel, text). Neither Slack nor GitHub is called.
 *
 * <p>Steps are planned in the runbook's order; an output planned for an earlier notify step fills in the
 * {@code <step.output>} of a later one (the post's URL in the announcement). A step whose inputs are not planned
 * (the changelog, when the git service gave no plan) is listed as not planned, saying which.
 */
@ApplicationScoped
public class NotifyPlanner implements StepPlanner {
    private static final Pattern UNRESOLVED = Pattern.compile("<[A-Za-z0-9_.-]+\\.[A-Za-z0-9_-]+>");

    /** The release post as it would be drafted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Post(String repository, String branch, String path, String pullRequestTitle, String reviewer,
                       String markdown, String url) {
    }

    /** A step's plan: {@code post} or {@code message}; {@code planned} false: {@code note} says why not. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepPlan(String step, String handler, boolean planned, String note, Post post,
                           Announcement.Message message, Map<String, Object> outputs) {
        static StepPlan notPlanned(PlanStep s, String why) {
            return new StepPlan(s.step(), s.handler(), false, why, null, null, Map.of());
        }
    }

    @Inject
    DraftReleasePost draft;

    @Inject
    PublishReleasePost publish;

    @Inject
    @Any
    Instance<Announcement> announcements;

    @Inject
    Website website;

    @Override
    public List<StepPlan> plan(List<PlanStep> steps) {
        List<StepPlan> out = new ArrayList<>();
        Map<String, Map<String, Object>> planned = new HashMap<>();
        for (PlanStep s : steps) {
            StepContext ctx = s.context(planned);
            try {
                StepPlan p = plan(s, ctx);
                planned.put(s.step(), p.outputs());
                out.add(p);
            } catch (StepFailure f) {
                out.add(StepPlan.notPlanned(s, "would fail: " + f.getMessage()));
            } catch (RuntimeException e) {
                out.add(StepPlan.notPlanned(s, "could not be planned: " + e.getMessage()));
            }
        }
        return out;
    }

    private StepPlan plan(PlanStep s, StepContext ctx) {
        if (s.handler().equals(draft.stepId())) {
            Optional<String> missing = unresolved(ctx, "log", "highlights", "externalContributors");
            if (missing.isPresent()) {
                return StepPlan.notPlanned(s, "not planned: its changelog " + missing.get() + " has no plan (see git.collect-changelog)");
            }
            DraftReleasePost.Draft d = draft.draft(ctx);
            Map<String, Object> outputs = new LinkedHashMap<>();
            outputs.put("branch", d.branch());
            outputs.put("path", d.path());
            return new StepPlan(s.step(), s.handler(), true, "would write " + d.path() + " on branch " + d.branch() + " of "
                    + d.repository() + " and open the pull request \"" + d.title() + "\", review requested from "
                    + website.reviewer() + " (an open or merged pull request from that branch is reused as it is)",
                    new Post(d.repository(), d.branch(), d.path(), d.title(), website.reviewer(), d.markdown(),
                            website.postUrl(d.path())), null, outputs);
        }
        if (s.handler().equals(publish.stepId())) {
            String url = publish.postUrl(ctx);
            String pr = ctx.params().getOrDefault("pullRequest", "");
            return new StepPlan(s.step(), s.handler(), true, "would merge the release post's pull request "
                    + (pr.isBlank() ? "" : (pr.startsWith("<") ? pr : "#" + pr) + " ") + "of " + website.repositoryName()
                    + " once approved, then wait until " + url + " is live",
                    new Post(website.repositoryName(), null, null, null, null, null, url), null, Map.of("url", url));
        }
        for (Announcement a : announcements) {
            if (s.handler().equals(a.stepId())) {
                Announcement.Message m = a.message(ctx);
                return new StepPlan(s.step(), s.handler(), true, "would post to " + m.channel() + " in the " + m.workspace()
                        + " Slack workspace (once per release and step)", null, m, Map.of());
            }
        }
        return StepPlan.notPlanned(s, "no plan for handler " + s.handler());
    }

    /** The first of {@code names} whose value is an output not planned ({@code <step.output>}). */
    private static Optional<String> unresolved(StepContext ctx, String... names) {
        for (String n : names) {
            String v = ctx.params().get(n);
            if (v != null && UNRESOLVED.matcher(v.strip()).matches()) {
                return Optional.of(n + " (" + v.strip() + ")");
            }
        }
        return Optional.empty();
    }
}
