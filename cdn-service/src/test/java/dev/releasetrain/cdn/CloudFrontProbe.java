package dev.releasetrain.cdn;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.model.Invalidation;
import software.amazon.awssdk.services.cloudfront.model.InvalidationSummary;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** The tests' own look at the CloudFront stand-in, through the same SDK client the service uses. */
final class CloudFrontProbe implements AutoCloseable {
    private final CloudFrontClient client;
    private final String distributionId;

    CloudFrontProbe(String endpoint, String distributionId) {
        this.client = CloudFrontClient.builder().region(Region.AWS_GLOBAL)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(endpoint)).build();
        this.distributionId = distributionId;
    }

    /** Every invalidation of the distribution whose CallerReference starts with the prefix. */
    List<Invalidation> invalidationsWithReference(String prefix) {
        List<Invalidation> out = new ArrayList<>();
        for (InvalidationSummary s : client.listInvalidations(r -> r.distributionId(distributionId).maxItems("1000"))
                .invalidationList().items()) {
            Invalidation i = client.getInvalidation(r -> r.distributionId(distributionId).id(s.id())).invalidation();
            if (i.invalidationBatch().callerReference().startsWith(prefix)) {
                out.add(i);
            }
        }
        return out;
    }

    /** What a crashed attempt may have left behind: the invalidation created, nobody waiting on it. */
    Invalidation create(String callerReference, List<String> paths) {
        return client.createInvalidation(r -> r.distributionId(distributionId).invalidationBatch(b -> b
                .callerReference(callerReference).paths(p -> p.quantity(paths.size()).items(paths)))).invalidation();
    }

    @Override
    public void close() {
        client.close();
    }
}
