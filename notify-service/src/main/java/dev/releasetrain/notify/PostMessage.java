package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsHistoryResponse;
import com.slack.api.methods.response.conversations.ConversationsListResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.ConversationType;
import com.slack.api.model.Message;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code notify.post-message}: tells the release channel that the release went through the proving
 * runbook. Idempotent: the message carries metadata {@code release_train_step {release, step}}, and a
 * message with the same metadata already in the channel's recent history is reused instead of posting
 * again, whatever the command or attempt. Outputs {@code channel} (its id) and {@code ts}.
 */
@ApplicationScoped
public class PostMessage implements StepHandler {
    private static final Logger LOG = Logger.getLogger(PostMessage.class);

    static final String EVENT_TYPE = "release_train_step";
    /** How far back to look for an earlier post of the same step: the channel's last 1,000 messages. */
    private static final int HISTORY_PAGE = 200;
    private static final int HISTORY_PAGES = 5;
    private static final Pattern CONVERSATION_ID = Pattern.compile("[CGD][A-Z0-9]{6,}");
    private static final Set<String> RETRYABLE_ERRORS = Set.of(
            "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout");

    @Inject
    Slack slack;

    @ConfigProperty(name = "release-train.slack.token")
    String token;

    @ConfigProperty(name = "release-train.slack.channel", defaultValue = "#releases")
    String channel;

    /** The conversation id of {@link #channel} once known (history needs an id on the real Slack). */
    private volatile String channelId;

    @Override
    public String stepId() {
        return "notify.post-message";
    }

    @Override
    public StepOutcome run(StepContext ctx) throws IOException {
        String version = ctx.param("version");
        MethodsClient methods = slack.methods(token);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("release", ctx.releaseId());
        payload.put("step", ctx.step());

        Optional<Map<String, Object>> earlier = findEarlierPost(methods, payload);
        if (earlier.isPresent()) {
            LOG.infof("release %s step %s: reusing the message already in %s (ts %s)",
                    ctx.releaseId(), ctx.step(), channel, earlier.get().get("ts"));
            return StepOutcome.succeeded(earlier.get());
        }

        ChatPostMessageResponse posted = call("chat.postMessage", () -> methods.chatPostMessage(r -> r
                .channel(conversation())
                .text("Release Train: release " + version + " went through the proving runbook")
                .metadata(new Message.Metadata(EVENT_TYPE, payload))));
        channelId = posted.getChannel();
        return StepOutcome.succeeded(outputs(posted.getChannel(), posted.getTs()));
    }

    private Optional<Map<String, Object>> findEarlierPost(MethodsClient methods, Map<String, Object> payload)
            throws IOException {
        String cursor = null;
        for (int page = 0; page < HISTORY_PAGES; page++) {
            ConversationsHistoryResponse history = history(methods, cursor);
            String id = channelId != null ? channelId : conversation();
            for (Message m : history.getMessages() == null ? List.<Message>of() : history.getMessages()) {
                if (sameStep(m.getMetadata(), payload)) {
                    return Optional.of(outputs(id, m.getTs()));
                }
            }
            cursor = history.getResponseMetadata() == null ? null : history.getResponseMetadata().getNextCursor();
            if (!history.isHasMore() || cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return Optional.empty();
    }

    private ConversationsHistoryResponse history(MethodsClient methods, String cursor) throws IOException {
        String method = "conversations.history";
        ConversationsHistoryResponse history = unchecked(method, () -> methods.conversationsHistory(r -> r
                .channel(conversation()).includeAllMetadata(true).limit(HISTORY_PAGE).cursor(cursor)));
        if (!history.isOk() && "channel_not_found".equals(history.getError()) && channelId == null
                && !CONVERSATION_ID.matcher(channel).matches()) {
            // Slack's history wants a conversation id: find the id of the channel's name, then ask again.
            channelId = resolveName(methods);
            history = unchecked(method, () -> methods.conversationsHistory(r -> r
                    .channel(channelId).includeAllMetadata(true).limit(HISTORY_PAGE).cursor(cursor)));
        }
        return checked(method, history);
    }

    private String resolveName(MethodsClient methods) throws IOException {
        String name = channel.startsWith("#") ? channel.substring(1) : channel;
        String cursor = null;
        do {
            String c = cursor;
            ConversationsListResponse list = call("conversations.list", () -> methods.conversationsList(r -> r
                    .types(List.of(ConversationType.PUBLIC_CHANNEL, ConversationType.PRIVATE_CHANNEL))
                    .excludeArchived(true).limit(200).cursor(c)));
            for (Conversation conversation : list.getChannels()) {
                if (name.equals(conversation.getName())) {
                    return conversation.getId();
                }
            }
            cursor = list.getResponseMetadata() == null ? null : list.getResponseMetadata().getNextCursor();
        } while (cursor != null && !cursor.isEmpty());
        throw new StepFailure("Slack channel " + channel + " not found (channel_not_found)", false);
    }

    private String conversation() {
        return channelId != null ? channelId : channel;
    }

    private static boolean sameStep(Message.Metadata metadata, Map<String, Object> payload) {
        if (metadata == null || !EVENT_TYPE.equals(metadata.getEventType()) || metadata.getEventPayload() == null) {
            return false;
        }
        return payload.entrySet().stream().allMatch(e ->
                String.valueOf(e.getValue()).equals(String.valueOf(metadata.getEventPayload().get(e.getKey()))));
    }

    private static Map<String, Object> outputs(String channel, String ts) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("channel", channel);
        outputs.put("ts", ts);
        return outputs;
    }

    private interface SlackCall<T extends SlackApiTextResponse> {
        T call() throws IOException, SlackApiException;
    }

    private static <T extends SlackApiTextResponse> T call(String method, SlackCall<T> call) throws IOException {
        return checked(method, unchecked(method, call));
    }

    /** An HTTP error answer (429, 5xx) is thrown by the client as SlackApiException; ok=false is returned. */
    private static <T extends SlackApiTextResponse> T unchecked(String method, SlackCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (SlackApiException e) {
            int status = e.getResponse() != null ? e.getResponse().code() : 0;
            String error = e.getError() != null && e.getError().getError() != null ? e.getError().getError() : "HTTP " + status;
            throw new StepFailure("Slack " + method + " failed: " + error + " (HTTP " + status + ")",
                    status == 429 || status >= 500 || RETRYABLE_ERRORS.contains(error), e);
        }
    }

    private static <T extends SlackApiTextResponse> T checked(String method, T response) {
        if (!response.isOk()) {
            String error = response.getError() == null ? "unknown_error" : response.getError();
            throw new StepFailure("Slack " + method + " failed: " + error
                    + (response.getNeeded() != null ? " (needed scope " + response.getNeeded() + ")" : ""),
                    RETRYABLE_ERRORS.contains(error));
        }
        return response;
    }
}
