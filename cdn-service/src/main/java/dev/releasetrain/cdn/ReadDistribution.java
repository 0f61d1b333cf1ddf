package dev.releasetrain.cdn;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.CloudFrontException;
import software.amazon.awssdk.services.cloudfront.model.Distribution;
import software.amazon.awssdk.services.cloudfront.model.NoSuchDistributionException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code cdn.read-distribution}: CloudFront GetDistribution of the configured distribution. Outputs
 * {@code distributionId}, {@code domainName}, {@code status}.
 */
@ApplicationScoped
public class ReadDistribution implements StepHandler {

    @Inject
    CloudFrontClient cloudFront;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @Override
    public String stepId() {
        return "cdn.read-distribution";
    }

    @Override
    public StepOutcome run(StepContext ctx) {
        Distribution d;
        try {
            d = cloudFront.getDistribution(r -> r.id(distributionId)).distribution();
        } catch (NoSuchDistributionException e) {
            return StepOutcome.failed("CloudFront distribution '" + distributionId + "' does not exist (NoSuchDistribution)", false);
        } catch (CloudFrontException e) {
            // Throttling and AWS-side errors pass; access or request errors need a person.
            boolean retryable = e.isThrottlingException() || e.statusCode() >= 500;
            String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            return StepOutcome.failed("CloudFront GetDistribution of '" + distributionId + "' failed: HTTP " + e.statusCode()
                    + (code != null ? " " + code : "") + ": " + e.getMessage(), retryable);
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("distributionId", d.id());
        outputs.put("domainName", d.domainName());
        outputs.put("status", d.status());
        return StepOutcome.succeeded(outputs);
    }
}
