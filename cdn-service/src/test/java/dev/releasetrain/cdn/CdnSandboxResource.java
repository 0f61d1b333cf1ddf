package dev.releasetrain.cdn;

import dev.releasetrain.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Starts the sandbox and points cdn-service at its CloudFront stand-in. The AWS default credentials chain
 * finds the sandbox's keys as the system properties {@code aws.accessKeyId} / {@code aws.secretAccessKey}
 * (the launcher uses the environment variables instead).
 */
public class CdnSandboxResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;
    private Sandbox sandbox;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("cdn-service-sandbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sandbox = Sandbox.start(dir);
        System.setProperty("aws.accessKeyId", sandbox.awsAccessKeyId());
        System.setProperty("aws.secretAccessKey", sandbox.awsSecretAccessKey());
        return Map.of(
                "release-train.cdn.endpoint", sandbox.cloudFrontEndpoint(),
                "release-train.cdn.distribution-id", sandbox.distributionId(),
                "sandbox.test.domain-name", sandbox.distributionDomainName());
    }

    @Override
    public void stop() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (sandbox != null) {
            sandbox.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
