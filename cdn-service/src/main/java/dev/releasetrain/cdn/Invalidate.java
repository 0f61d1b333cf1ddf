package dev.releasetrain.cdn;

import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.CloudFrontException;
import software.amazon.awssdk.services.cloudfront.model.Invalidation;
import software.amazon.awssdk.services.cloudfront.model.NoSuchDistributionException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code cdn.invalidate}: a CloudFront invalidation of {@code paths} (param, comma-separated; default
 * {@code release-train.cdn.invalidation-paths}, {@code /*}) on the configured distribution, so that self-hosted
 * instances see the new {@code versions.json}; then waits, with progress events, until CloudFront reports it
 * {@code Completed}, or fails (retryable) after {@code release-train.cdn.invalidation-max-wait}.
 *
 * <p>Idempotent: the CallerReference is derived from the release, the step and the paths, never the attempt or
 * the command, so a redelivery, a retry, or a new attempt after a crash between creating and waiting gets the
 * existing invalidation back from CloudFront and waits on it. Outputs {@code invalidationId}, {@code status}.
 */
@ApplicationScoped
public class Invalidate implements StepHandler {
    private static final Logger LOG = Logger.getLogger(Invalidate.class);
    static final String STEP = "cdn.invalidate";

    @Inject
    CloudFrontClient cloudFront;

    @ConfigProperty(name = "release-train.cdn.distribution-id")
    String distributionId;

    @ConfigProperty(name = "release-train.cdn.invalidation-paths", defaultValue = "/*")
    String defaultPaths;

    @ConfigProperty(name = "release-train.cdn.invalidation-max-wait", defaultValue = "PT20M")
    Duration maxWait;

    @ConfigProperty(name = "release-train.cdn.invalidation-poll-interval", defaultValue = "PT5S")
    Duration pollInterval;

    @ConfigProperty(name = "release-train.cdn.invalidation-progress-interval", defaultValue = "PT30S")
    Duration progressInterval;

    @Override
    public String stepId() {
        return STEP;
    }

    /** The invalidation a command asks for: on which distribution, of which paths, under which CallerReference. */
    public record Request(String distributionId, List<String> paths, String callerReference) {
    }

    /** What {@link #run} sends to CreateInvalidation for {@code ctx} (the plan shows the same). */
    public Request request(StepContext ctx) {
        List<String> paths = paths(Optional.ofNullable(ctx.params().get("paths")).filter(p -> !p.isBlank()).orElse(defaultPaths));
        return new Request(distributionId, paths, callerReference(ctx.releaseId(), ctx.step(), paths));
    }

    @Override
    public StepOutcome run(StepContext ctx) throws InterruptedException {
        Request request = request(ctx);
        List<String> paths = request.paths();
        String reference = request.callerReference();

        Invalidation created = call("CreateInvalidation", () -> cloudFront.createInvalidation(r -> r
                .distributionId(distributionId)
                .invalidationBatch(b -> b.callerReference(reference)
                        .paths(p -> p.quantity(paths.size()).items(paths))))).invalidation();
        String id = created.id();
        LOG.infof("release %s: invalidation %s of %s on %s (%s), caller reference %s", ctx.releaseId(), id, paths,
                distributionId, created.status(), reference);

        // the first look is at the status CreateInvalidation returned; each later one asks CloudFront again
        AtomicReference<String> firstLook = new AtomicReference<>(created.status());
        String status;
        try {
            status = ctx.await(Polling.Schedule.of(maxWait, pollInterval, progressInterval), waited -> {
                String now = Optional.ofNullable(firstLook.getAndSet(null)).orElseGet(() -> call("GetInvalidation",
                        () -> cloudFront.getInvalidation(r -> r.distributionId(distributionId).id(id))).invalidation().status());
                if ("Completed".equals(now)) {
                    return Polling.Look.done(now);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("invalidationId", id);
                details.put("status", now);
                details.put("waitedSeconds", waited.toSeconds());
                return Polling.Look.waiting(String.valueOf(now), "CloudFront invalidation " + id + " is " + now, details);
            });
        } catch (Polling.TimedOut t) {
            return StepOutcome.failed("CloudFront invalidation " + id + " of " + paths + " on " + distributionId
                    + " is still " + t.state() + " after " + t.waited().toSeconds() + " s (max wait " + maxWait.toSeconds()
                    + " s); a retry waits on the same invalidation", true);
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("invalidationId", id);
        outputs.put("status", status);
        return StepOutcome.succeeded(outputs);
    }

    /** {@code /*} or {@code /versions.json, /index.html}: trimmed, non-empty, each must start with a slash. */
    static List<String> paths(String param) {
        List<String> paths = Arrays.stream(param.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
        if (paths.isEmpty() || paths.stream().anyMatch(p -> !p.startsWith("/"))) {
            throw new StepFailure("cdn.invalidate needs paths starting with '/', comma-separated; got '" + param + "'", false);
        }
        return paths;
    }

    /**
     * The same for every attempt of one release's step with the same paths ({@code release-train/1.29.0/cdn.invalidate/
     * <hash of the paths>}): CloudFront returns the invalidation it already has for it. Paths edited on a retry make a
     * new reference (the same reference with other paths would be refused as InvalidationBatchAlreadyExists).
     */
    static String callerReference(String releaseId, String step, List<String> paths) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(String.join("\n", paths).getBytes(StandardCharsets.UTF_8));
            return "release-train/" + releaseId + "/" + step + "/" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Call<T> {
        T call();
    }

    private <T> T call(String operation, Call<T> call) {
        try {
            return call.call();
        } catch (NoSuchDistributionException e) {
            throw new StepFailure("CloudFront distribution '" + distributionId + "' does not exist (NoSuchDistribution)", false, e);
        } catch (CloudFrontException e) {
            boolean retryable = e.isThrottlingException() || e.statusCode() >= 500;
            String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            String message = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
            throw new StepFailure("CloudFront " + operation + " on '" + distributionId + "' failed: HTTP " + e.statusCode()
                    + (code != null ? " " + code : "") + ": " + message, retryable, e);
        } catch (SdkClientException e) {
            // No answer (network, timeout) or no credentials in the default chain.
            boolean credentials = String.valueOf(e.getMessage()).contains("credentials");
            throw new StepFailure("CloudFront " + operation + " on '" + distributionId + "' failed: " + e.getMessage(),
                    !credentials, e);
        }
    }
}
