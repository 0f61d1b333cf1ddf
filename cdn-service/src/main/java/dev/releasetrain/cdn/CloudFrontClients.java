package dev.releasetrain.cdn;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudfront.CloudFrontClient;
import software.amazon.awssdk.services.cloudfront.CloudFrontClientBuilder;

import java.net.URI;
import java.util.Optional;

/**
 * The one {@link CloudFrontClient} of the service: the global region, the default credentials chain
 * (environment, system properties, profile, container or instance role), and an endpoint override only
 * when {@code release-train.cdn.endpoint} names a stand-in. Closed at shutdown.
 */
@ApplicationScoped
public class CloudFrontClients {

    @ConfigProperty(name = "release-train.cdn.endpoint")
    Optional<URI> endpoint;

    @Produces
    @Singleton
    CloudFrontClient cloudFrontClient() {
        CloudFrontClientBuilder builder = CloudFrontClient.builder()
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(UrlConnectionHttpClient.create());
        endpoint.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    void close(@Disposes CloudFrontClient client) {
        client.close();
    }
}
