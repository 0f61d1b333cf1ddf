package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.model.Message;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tests' look at a Slack channel of the stand-in, through slack-api-client as any Slack client would. */
final class SlackProbe implements AutoCloseable {
    private final Slack slack;
    private final String token;

    SlackProbe(String apiUrl, String token) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(apiUrl);
        config.setStatsEnabled(false);
        this.slack = Slack.getInstance(config);
        this.token = token;
    }

    /** Messages of a channel ({@code #name}) or of the direct messages with a user ({@code U...}) about the release. */
    List<Message> messagesAbout(String channel, String release) throws Exception {
        String conversation = channel;
        if (channel.startsWith("U")) {
            var open = slack.methods(token).conversationsOpen(r -> r.users(List.of(channel)));
            assertTrue(open.isOk(), open.getError());
            conversation = open.getChannel().getId();
        }
        String c = conversation;
        var history = slack.methods(token).conversationsHistory(r -> r.channel(c).includeAllMetadata(true).limit(999));
        assertTrue(history.isOk(), history.getError());
        List<Message> about = new java.util.ArrayList<>(history.getMessages().stream()
                .filter(m -> m.getMetadata() != null && release.equals(m.getMetadata().getEventPayload().get("release")))
                .toList());
        java.util.Collections.reverse(about); // oldest first
        return about;
    }

    /** The error code of asking for a channel's history ({@code channel_not_found}), or null when Slack answers it. */
    String historyError(String channel) throws Exception {
        var history = slack.methods(token).conversationsHistory(r -> r.channel(channel).limit(1));
        return history.isOk() ? null : history.getError();
    }

    /** Waits until the channel's messages about the release satisfy the condition, and returns them. */
    List<Message> await(String channel, String release, Predicate<List<Message>> done, Duration wait) {
        java.util.concurrent.atomic.AtomicReference<List<Message>> seen = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        org.awaitility.Awaitility.await("messages in " + channel + " about " + release)
                .atMost(wait).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    seen.set(messagesAbout(channel, release));
                    return done.test(seen.get());
                });
        return seen.get();
    }

    @Override
    public void close() throws Exception {
        slack.close();
    }
}
