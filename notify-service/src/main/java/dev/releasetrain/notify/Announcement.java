package dev.releasetrain.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A channel message of the runbook: the template {@code release-train.notify.templates.<template>} rendered with
 * the command's parameters (the release variables and the step's own) and a few derived values, posted once per
 * release and step to the channel {@code release-train.notify.channels.<channel>} of its Slack workspace (the
 * team's, unless the step says otherwise). Outputs {@code channel} (id), {@code ts}, {@code permalink}.
 *
 * <p>Derived values: {@code ownerMention} ({@code <@ownerSlack>}, else the owner's name), {@code sessionTime}
 * (the break-the-release session: {@code freezeTime} plus {@code release-train.notify.session-offset}),
 * {@code playgroundUrl}, {@code highlights} (the {@code highlights} parameter as a bullet list, empty without it),
 * {@code postLink} (the template {@code post-link} with the {@code postUrl} parameter; empty when there is no post,
 * as for a patch, so that a line holding only {@code {{postLink}}} is left out).
 */
public abstract class Announcement implements StepHandler {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm 'UTC'", java.util.Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    @Inject
    SlackWorkspaces slack;

    @Inject
    MessageTemplates templates;

    @Inject
    Config config;

    /** The template's name under {@code release-train.notify.templates.}. */
    protected abstract String template();

    /** The channel's key under {@code release-train.notify.channels.}. */
    protected abstract String channelKey();

    /** The Slack workspace of the channel ({@link SlackWorkspaces#TEAM} unless said otherwise). */
    protected String workspace() {
        return SlackWorkspaces.TEAM;
    }

    /**
     * A message as the step posts it: the Slack workspace, the channel as configured (a name or an id), the text.
     * {@code template}: which message template rendered it.
     */
    public record Message(String workspace, String channel, String template, String text) {
    }

    /** The message {@link #run} posts for {@code ctx} (the plan shows the same); nothing is sent. */
    public Message message(StepContext ctx) {
        String channel = config.getOptionalValue("release-train.notify.channels." + channelKey(), String.class)
                .orElseThrow(() -> new StepFailure("no channel release-train.notify.channels." + channelKey() + " is configured", false));
        return new Message(workspace(), channel, template(), templates.render(template(), values(ctx)));
    }

    @Override
    public StepOutcome run(StepContext ctx) throws IOException {
        Message message = message(ctx);
        String channel = message.channel();
        SlackMessages messages = slack.named(message.workspace());
        SlackMessages.Posted posted = messages.postOnce(channel, message.text(), PostMessage.EVENT_TYPE, PostMessage.stepIdentity(ctx));
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("channel", posted.channel());
        outputs.put("ts", posted.ts());
        outputs.put("permalink", messages.permalink(posted.channel(), posted.ts()));
        return StepOutcome.succeeded(outputs);
    }

    Map<String, String> values(StepContext ctx) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("release", ctx.releaseId());
        values.put("version", ctx.releaseId());
        values.put("highlights", "");
        config.getOptionalValue("release-train.notify.playground-url", String.class).ifPresent(v -> values.put("playgroundUrl", v));
        values.putAll(ctx.params());
        String ownerSlack = ctx.params().get("ownerSlack");
        String owner = ctx.params().get("owner");
        if (ownerSlack != null && !ownerSlack.isBlank()) {
            values.put("ownerMention", "<@" + ownerSlack + ">");
        } else if (owner != null) {
            values.put("ownerMention", owner);
        }
        String freeze = ctx.params().get("freezeTime");
        if (freeze != null && !freeze.isBlank()) {
            try {
                Duration offset = config.getOptionalValue("release-train.notify.session-offset", Duration.class).orElse(Duration.ofHours(2));
                values.put("sessionTime", WHEN.format(Instant.parse(freeze).plus(offset)));
                values.put("freezeTime", WHEN.format(Instant.parse(freeze)));
            } catch (DateTimeParseException e) {
                throw new StepFailure("parameter freezeTime '" + freeze + "' is not an ISO instant", false);
            }
        }
        String postUrl = ctx.params().get("postUrl");
        values.put("postLink", postUrl == null || postUrl.isBlank() ? "" : templates.render("post-link", values));
        String highlights = ctx.params().get("highlights");
        if (highlights != null && !highlights.isBlank()) {
            values.put("highlights", bullets(highlights));
        }
        return values;
    }

    /** {@code [{number,title,url}]} as Slack lines {@code • <url|title> (#n)}. */
    static String bullets(String highlightsJson) {
        List<Map<String, Object>> items;
        try {
            items = CloudEventCodec.json().readValue(highlightsJson, new TypeReference<>() { });
        } catch (IOException e) {
            throw new StepFailure("parameter highlights is not a JSON list of {number, title, url}: " + ReleasePost.firstLine(e.getMessage()), false);
        }
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> h : items) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append("• <").append(h.get("url")).append('|').append(h.get("title")).append("> (#").append(h.get("number")).append(')');
        }
        return sb.toString();
    }
}
