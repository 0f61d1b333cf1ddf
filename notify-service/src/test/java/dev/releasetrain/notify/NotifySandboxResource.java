package dev.releasetrain.notify;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;

import java.nio.file.Path;
import java.util.Map;

/** Starts the sandbox and points notify-service at its Slack Web API stand-in. */
public class NotifySandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        return Map.of(
                "release-train.slack.api-url", sandbox.slackApiUrl(),
                "release-train.slack.token", sandbox.slackToken(),
                "release-train.slack.channel", "#releases",
                "release-train.github.api-url", sandbox.githubUrl(),
                "release-train.github.token", sandbox.githubToken(),
                "sandbox.admin-url", sandbox.adminUrl());
    }
}
