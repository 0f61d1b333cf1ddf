package dev.releasetrain.cdn;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.plan.PlanStep;
import dev.releasetrain.worker.plan.StepPlanner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.Distribution;
import software.amazon.awssdk.services.cloudfront.model.NoSuchDistributionException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the cdn steps of a release would do, without effects: for {@code cdn.invalidate} the distribution and the
 * paths {@link Invalidate#request} would send to CreateInvalidation, with its CallerReference. CloudFront is only
 * read (GetDistribution: that the distribution exists, its domain); no invalidation is created.
 */
@ApplicationScoped
public class CdnPlanner implements StepPlanner {

    /** The distribution as CloudFront describes it. */
    public record DistributionInfo(String id, String domainName, String status) {
    }

    /** A step's plan; {@code planned} false: {@code note} says why not. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepPlan(String step, String handler, boolean planned, String note, DistributionInfo distribution,
                           List<String> paths, String callerReference, Map<String, Object> outputs) {
        static StepPlan notPlanned(PlanStep s, String why) {
            return new StepPlan(s.step(), s.handler(), false, why, null, null, null, Map.of());
        }
    }

    @Inject
    Invalidate invalidate;

    @Inject
    CloudFrontClient cloudFront;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @Override
    public List<StepPlan> plan(List<PlanStep> steps) {
        List<StepPlan> out = new ArrayList<>();
        Map<String, Map<String, Object>> planned = new HashMap<>();
        for (PlanStep s : steps) {
            try {
                StepPlan p = switch (s.handler()) {
                    case Invalidate.STEP -> invalidation(s, planned);
                    case "cdn.read-distribution" -> new StepPlan(s.step(), s.handler(), true,
                            "reads the distribution, changes nothing", distribution(distributionId), null, null, Map.of());
                    default -> StepPlan.notPlanned(s, "no plan for handler " + s.handler());
                };
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

    private StepPlan invalidation(PlanStep s, Map<String, Map<String, Object>> planned) {
        Invalidate.Request request = invalidate.request(s.context(planned));
        DistributionInfo d = distribution(request.distributionId());
        return new StepPlan(s.step(), s.handler(), true, "would invalidate " + String.join(", ", request.paths()) + " on "
                + d.id() + " (" + d.domainName() + ") and wait until CloudFront reports it Completed",
                d, request.paths(), request.callerReference(), Map.of());
    }

    private DistributionInfo distribution(String id) {
        try {
            Distribution d = cloudFront.getDistribution(r -> r.id(id)).distribution();
            return new DistributionInfo(d.id(), d.domainName(), d.status());
        } catch (NoSuchDistributionException e) {
            throw new StepFailure("CloudFront distribution '" + id + "' does not exist (NoSuchDistribution)", false, e);
        } catch (SdkException e) {
            throw new StepFailure("CloudFront GetDistribution of '" + id + "' failed: " + e.getMessage(), true, e);
        }
    }
}
