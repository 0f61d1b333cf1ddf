package dev.releasetrain.cdn;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;

import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the sandbox and points cdn-service at its CloudFront stand-in. The AWS default credentials chain
 * finds the sandbox's keys as the system properties {@code aws.accessKeyId} / {@code aws.secretAccessKey}
 * (the launcher uses the environment variables instead).
 */
public class CdnSandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        System.setProperty("aws.accessKeyId", sandbox.options().awsAccessKeyId());
        System.setProperty("aws.secretAccessKey", sandbox.options().awsSecretAccessKey());
        return Map.of(
                "release-train.cdn.endpoint", sandbox.cloudFront().url(),
                "release-train.cdn.distribution-id", sandbox.cloudFront().distributionId(),
                "sandbox.test.domain-name", sandbox.cloudFront().domainName());
    }

    @Override
    protected void cleanUp() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }
}
