package dev.releasetrain.notify;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;
import dev.releasetrain.sandbox.SlackStandIn;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the sandbox and points notify-service at its stand-ins: the Slack Web API (the team and community
 * workspaces, by token), the GitHub API hosting the website repository, and the public website, polled for a
 * published post every 100 ms for at most 2 s.
 */
public class NotifySandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("release-train.slack.api-url", sandbox.slack().apiUrl());
        config.put("release-train.slack.token", sandbox.slack().token());
        config.put("release-train.slack.community.token", sandbox.slack().token(SlackStandIn.COMMUNITY));
        config.put("release-train.slack.channel", "#releases");
        config.put("release-train.github.api-url", sandbox.github().url());
        config.put("release-train.github.token", sandbox.github().token());
        config.put("release-train.notify.website.site-url", sandbox.website().url());
        config.put("release-train.notify.website.live-poll-interval", "PT0.1S");
        config.put("release-train.notify.website.live-max-wait", "PT2S");
        config.put("sandbox.admin-url", sandbox.adminUrl());
        return config;
    }
}
