package dev.releasetrain.notify;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;
import dev.releasetrain.sandbox.SandboxWiring;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the sandbox and points notify-service at its stand-ins ({@link SandboxWiring#notify}): the Slack Web API (the team and community
 * workspaces, by token), the GitHub API hosting the website repository, and the public website, polled for a
 * published post every 100 ms for at most 2 s.
 */
public class NotifySandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        Map<String, String> config = new LinkedHashMap<>(SandboxWiring.notify(sandbox).properties());
        config.put("release-train.slack.channel", "#releases");
        config.put("release-train.notify.website.live-poll-interval", "PT0.1S");
        config.put("release-train.notify.website.live-max-wait", "PT2S");
        config.put("sandbox.admin-url", sandbox.adminUrl());
        return config;
    }
}
