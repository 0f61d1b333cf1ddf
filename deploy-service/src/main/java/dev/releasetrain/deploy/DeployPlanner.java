package dev.releasetrain.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.plan.PlanStep;
import dev.releasetrain.worker.plan.StepPlanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the deploy steps of a release would do, without effects: the image tags the waits look for and whether
 * the registry has them now; the chart, release and image {@code deploy.upgrade-playground} would deploy, compared
 * with the release's newest revision as the step compares it ({@link UpgradePlayground#plan}); which release holds
 * the playground now ({@link PlaygroundLease#holder}). Reads only: the registry's tags, the chart repository's
 * index, the Helm release's revisions and the Lease; no Helm install or upgrade, no Kubernetes write, no lease taken.
 */
@ApplicationScoped
public class DeployPlanner implements StepPlanner {
    private static final Pattern UNRESOLVED = Pattern.compile("<[A-Za-z0-9_.-]+\\.[A-Za-z0-9_-]+>");

    /** An image tag and whether the registry has it now ({@code digest} then). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImageTag(String image, String tag, boolean exists, String digest) {
    }

    /** A step's plan; {@code planned} false: {@code note} says why not. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepPlan(String step, String handler, boolean planned, String note, List<ImageTag> images,
                           UpgradePlayground.Planned deploy, PlaygroundLease.Holder playgroundHeldBy,
                           Map<String, Object> outputs) {
        static StepPlan notPlanned(PlanStep s, String why) {
            return new StepPlan(s.step(), s.handler(), false, why, null, null, null, Map.of());
        }
    }

    @Inject
    RegistryClient registry;

    @Inject
    UpgradePlayground upgrade;

    @Inject
    PlaygroundLease lease;

    @Override
    public List<StepPlan> plan(List<PlanStep> steps) {
        List<StepPlan> out = new ArrayList<>();
        Map<String, Map<String, Object>> planned = new HashMap<>();
        for (PlanStep s : steps) {
            StepContext ctx = s.context(planned);
            try {
                StepPlan p = switch (s.handler()) {
                    case "deploy.await-unstable-image", "deploy.await-release-image" -> awaitImages(s, ctx);
                    case "deploy.upgrade-playground" -> upgrade(s, ctx);
                    case "deploy.verify-playground" -> verify(s, ctx);
                    case "deploy.list-pods" -> new StepPlan(s.step(), s.handler(), true, "lists the playground's pods, changes nothing",
                            null, null, null, Map.of());
                    default -> StepPlan.notPlanned(s, "no plan for handler " + s.handler());
                };
                planned.put(s.step(), p.outputs());
                out.add(p);
            } catch (StepFailure f) {
                out.add(StepPlan.notPlanned(s, "would fail: " + f.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(StepPlan.notPlanned(s, "could not be planned: interrupted"));
            } catch (RuntimeException e) {
                out.add(StepPlan.notPlanned(s, "could not be planned: " + e.getMessage()));
            }
        }
        return out;
    }

    private StepPlan awaitImages(PlanStep s, StepContext ctx) throws InterruptedException {
        List<String> tags = Arrays.stream(ctx.param("tags").split(",")).map(String::strip).filter(t -> !t.isEmpty())
                .distinct().toList();
        if (tags.isEmpty()) {
            throw new StepFailure("step " + s.handler() + " needs at least one tag in 'tags'", false);
        }
        List<ImageTag> images = new ArrayList<>();
        Map<String, Object> digests = new LinkedHashMap<>();
        for (String tag : tags) {
            ImageTag t = look(tag);
            images.add(t);
            if (t.exists()) {
                digests.put(tag, t.digest());
            }
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        if (digests.size() == tags.size()) {
            outputs.put("tags", digests);
            outputs.put("digest", digests.get(tags.get(0)));
        }
        long present = images.stream().filter(ImageTag::exists).count();
        return new StepPlan(s.step(), s.handler(), true, "would wait until " + registry.image() + " has " + String.join(", ", tags)
                + " (" + present + " of " + tags.size() + " there now)", images, null, null, outputs);
    }

    private StepPlan upgrade(PlanStep s, StepContext ctx) throws InterruptedException {
        String valuesYaml = ctx.param("valuesYaml");
        if (UNRESOLVED.matcher(valuesYaml.strip()).matches()) {
            return StepPlan.notPlanned(s, "not planned: its values (" + valuesYaml.strip() + ") have no plan");
        }
        UpgradePlayground.Planned d = upgrade.plan(valuesYaml, registry.image());
        Optional<PlaygroundLease.Holder> holder = lease.holder();
        List<ImageTag> images = new ArrayList<>();
        int colon = d.image().lastIndexOf(':');
        if (colon > 0 && d.image().substring(0, colon).equals(registry.image())) {
            images.add(look(d.image().substring(colon + 1)));
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("revision", d.revision());
        outputs.put("chart", d.chart());
        outputs.put("changed", d.changed());
        String note = (d.changed()
                ? "would upgrade " + d.namespace() + "/" + d.release() + " to chart " + d.chart() + " with image " + d.image()
                        + " (revision " + d.revision() + ")"
                : "nothing to upgrade: revision " + d.deployedRevision() + " of " + d.namespace() + "/" + d.release()
                        + " is deployed with chart " + d.chart() + " and these values")
                + holder.map(h -> "; the playground is held by release " + h.release() + (h.expired() ? " (expired)" : ""))
                        .orElse("; nobody holds the playground now");
        return new StepPlan(s.step(), s.handler(), true, note, images, d, holder.orElse(null), outputs);
    }

    private StepPlan verify(PlanStep s, StepContext ctx) throws InterruptedException {
        String imageTag = ctx.param("imageTag");
        Optional<PlaygroundLease.Holder> holder = lease.holder();
        ImageTag image = look(imageTag);
        return new StepPlan(s.step(), s.handler(), true, "would wait until every playground pod of " + registry.image()
                + " runs " + imageTag + " and is Ready, then check the version the playground reports"
                + holder.map(h -> "; the playground is held by release " + h.release() + (h.expired() ? " (expired)" : ""))
                        .orElse("; nobody holds the playground now"),
                List.of(image), null, holder.orElse(null), Map.of());
    }

    private ImageTag look(String tag) throws InterruptedException {
        if (UNRESOLVED.matcher(tag).matches()) {
            return new ImageTag(registry.image(), tag, false, null);
        }
        try {
            Optional<RegistryClient.TagInfo> info = registry.tag(tag);
            return new ImageTag(registry.image(), tag, info.isPresent(), info.map(RegistryClient.TagInfo::digest).orElse(null));
        } catch (RegistryClient.Unavailable e) {
            throw new StepFailure(e.getMessage(), true, e);
        }
    }
}
