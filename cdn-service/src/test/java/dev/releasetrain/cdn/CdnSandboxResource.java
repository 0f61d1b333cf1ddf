package dev.releasetrain.cdn;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;
import dev.releasetrain.sandbox.SandboxWiring;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the sandbox and points cdn-service at its CloudFront stand-in ({@link SandboxWiring#cdn}). The AWS
 * default credentials chain finds the sandbox's keys as the system properties {@code aws.accessKeyId} /
 * {@code aws.secretAccessKey} (the launcher uses the environment variables instead).
 */
public class CdnSandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        SandboxWiring.Service wiring = SandboxWiring.cdn(sandbox);
        wiring.aws().systemProperties().forEach(System::setProperty);
        Map<String, String> config = new LinkedHashMap<>(wiring.properties());
        config.put("sandbox.test.domain-name", sandbox.cloudFront().domainName());
        config.put("sandbox.admin-url", sandbox.adminUrl());
        return config;
    }

    @Override
    protected void cleanUp() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }
}
