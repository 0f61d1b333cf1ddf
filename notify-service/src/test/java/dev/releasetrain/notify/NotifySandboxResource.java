package dev.releasetrain.notify;

import dev.releasetrain.sandbox.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Starts the sandbox and points notify-service at its Slack Web API stand-in. */
public class NotifySandboxResource implements QuarkusTestResourceLifecycleManager {
    private Path dir;
    private Sandbox sandbox;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("notify-service-sandbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sandbox = Sandbox.start(dir);
        return Map.of(
                "release-train.slack.api-url", sandbox.slackApiUrl(),
                "release-train.slack.token", sandbox.slackToken(),
                "release-train.slack.channel", "#releases",
                "release-train.github.api-url", sandbox.githubUrl(),
                "release-train.github.token", sandbox.githubToken(),
                "sandbox.admin-url", sandbox.adminUrl());
    }

    @Override
    public void stop() {
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
