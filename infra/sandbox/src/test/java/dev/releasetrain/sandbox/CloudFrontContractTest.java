package dev.releasetrain.sandbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.CreateInvalidationResponse;
import software.amazon.awssdk.services.cloudfront.model.GetDistributionResponse;
import software.amazon.awssdk.services.cloudfront.model.GetInvalidationResponse;
import software.amazon.awssdk.services.cloudfront.model.CloudFrontException;
import software.amazon.awssdk.services.cloudfront.model.InvalidationSummary;
import software.amazon.awssdk.services.cloudfront.model.ListInvalidationsResponse;
import software.amazon.awssdk.services.cloudfront.model.NoSuchDistributionException;
import software.amazon.awssdk.services.cloudfront.model.NoSuchInvalidationException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CloudFront stand-in as seen by aws-sdk-java-v2's cloudfront client, the client cdn-service uses. */
class CloudFrontContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static CloudFrontClient cloudFront;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir, Sandbox.Options.defaults().withInvalidationDelay(Duration.ofMillis(800)));
        cloudFront = CloudFrontClient.builder()
                .endpointOverride(URI.create(sandbox.cloudFront().url()))
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(sandbox.options().awsAccessKeyId(), sandbox.options().awsSecretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stop() {
        if (cloudFront != null) {
            cloudFront.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void getDistribution() {
        GetDistributionResponse r = cloudFront.getDistribution(b -> b.id(sandbox.cloudFront().distributionId()));
        assertEquals(sandbox.cloudFront().distributionId(), r.distribution().id());
        assertEquals("Deployed", r.distribution().status());
        assertEquals(sandbox.cloudFront().domainName(), r.distribution().domainName());
        assertTrue(r.distribution().arn().endsWith(":distribution/" + sandbox.cloudFront().distributionId()));
        assertNotNull(r.eTag());
        assertTrue(r.distribution().distributionConfig().enabled());
        assertEquals(1, r.distribution().distributionConfig().origins().quantity());
        assertNotNull(r.distribution().lastModifiedTime());
    }

    @Test
    void unknownDistributionIsNoSuchDistribution() {
        NoSuchDistributionException e = assertThrows(NoSuchDistributionException.class,
                () -> cloudFront.getDistribution(b -> b.id("ENOSUCHDIST")));
        assertEquals(404, e.statusCode());
        assertEquals("NoSuchDistribution", e.awsErrorDetails().errorCode());
    }

    @Test
    void createInvalidationIsIdempotentOnCallerReferenceAndCompletes() {
        String reference = "release-1.29.0-invalidate";
        CreateInvalidationResponse first = invalidate(reference, List.of("/*"));
        CreateInvalidationResponse again = invalidate(reference, List.of("/*"));
        assertEquals(first.invalidation().id(), again.invalidation().id());
        assertTrue(first.location().endsWith("/distribution/" + sandbox.cloudFront().distributionId() + "/invalidation/"
                + first.invalidation().id()), first.location());
        assertEquals("InProgress", first.invalidation().status());
        assertEquals(List.of("/*"), first.invalidation().invalidationBatch().paths().items());
        assertEquals(reference, first.invalidation().invalidationBatch().callerReference());

        GetInvalidationResponse done = await().atMost(Duration.ofSeconds(15))
                .until(() -> cloudFront.getInvalidation(b -> b.distributionId(sandbox.cloudFront().distributionId()).id(first.invalidation().id())),
                        r -> r.invalidation().status().equals("Completed"));
        assertEquals(first.invalidation().createTime(), done.invalidation().createTime());

        CreateInvalidationResponse other = invalidate("release-1.29.0-other", List.of("/versions.json"));
        assertNotEquals(first.invalidation().id(), other.invalidation().id());

        ListInvalidationsResponse list = cloudFront.listInvalidations(b -> b.distributionId(sandbox.cloudFront().distributionId()));
        List<String> ids = list.invalidationList().items().stream().map(InvalidationSummary::id).toList();
        assertEquals(other.invalidation().id(), ids.get(0)); // newest first
        assertTrue(ids.contains(first.invalidation().id()));
        assertEquals(ids.size(), list.invalidationList().quantity());

        assertTrue(sandbox.cloudFront().invalidations().stream().anyMatch(i -> i.callerReference().equals(reference)));
    }

    @Test
    void sameCallerReferenceWithOtherPathsIsRejected() {
        invalidate("release-1.29.0-conflict", List.of("/*"));
        // not a modeled exception of CreateInvalidation in the SDK: a CloudFrontException with the code
        CloudFrontException e = assertThrows(CloudFrontException.class,
                () -> invalidate("release-1.29.0-conflict", List.of("/index.html")));
        assertEquals(409, e.statusCode());
        assertEquals("InvalidationBatchAlreadyExists", e.awsErrorDetails().errorCode());
    }

    @Test
    void unknownInvalidationIsNoSuchInvalidation() {
        assertThrows(NoSuchInvalidationException.class,
                () -> cloudFront.getInvalidation(b -> b.distributionId(sandbox.cloudFront().distributionId()).id("INOSUCHINVALID")));
    }

    private static CreateInvalidationResponse invalidate(String reference, List<String> paths) {
        return cloudFront.createInvalidation(b -> b.distributionId(sandbox.cloudFront().distributionId())
                .invalidationBatch(ib -> ib.callerReference(reference)
                        .paths(p -> p.quantity(paths.size()).items(paths))));
    }
}
