package dev.releasetrain.notify;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsHistoryResponse;
import com.slack.api.methods.response.conversations.ConversationsListResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.ConversationType;
import com.slack.api.model.Message;
import dev.releasetrain.worker.StepFailure;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Posting a Slack message exactly once, in one workspace ({@link SlackWorkspaces}): every message carries metadata ({@code event_type} plus an identity
 * such as {release, step} or {release, event}); before posting, the channel's recent history is searched
 * for a message with that metadata, and a message found there is reused. So a redelivered command, a new
 * attempt, or a second delivery of an event, whatever this instance remembers, never posts twice.
 *
 * <p>A channel is named {@code #name}, by id ({@code C...}), or by a user id ({@code U...}) for a direct
 * message (the conversation {@code conversations.open} gives). Slack's history wants an id: a name is resolved
 * with {@code conversations.list} when history refuses it, and remembered.
 */
public class SlackMessages {
    private static final Logger LOG = Logger.getLogger(SlackMessages.class);

    /** How far back to look for an earlier post: the channel's last 1,000 messages. */
    private static final int HISTORY_PAGE = 200;
    private static final int HISTORY_PAGES = 5;
    private static final Pattern CONVERSATION_ID = Pattern.compile("[CGD][A-Z0-9]{6,}");
    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{6,}");

    /** A message in a channel: its conversation id and timestamp; {@code reused} when it was there already. */
    public record Posted(String channel, String ts, boolean reused) {
    }

    private final String workspace;
    private final Slack slack;
    private final String token;

    /** Conversation ids of channel names and user ids of this workspace, once known. */
    private final Map<String, String> conversationIds = new ConcurrentHashMap<>();

    SlackMessages(String workspace, Slack slack, String token) {
        this.workspace = workspace;
        this.slack = slack;
        this.token = token;
    }

    /** The workspace's name ({@code team}, {@code community}). */
    public String workspace() {
        return workspace;
    }

    /**
     * Posts {@code text} to {@code channel} with metadata {@code eventType}/{@code identity}, unless a message with
     * that metadata is already in the channel's recent history.
     */
    public Posted postOnce(String channel, String text, String eventType, Map<String, Object> identity) throws IOException {
        MethodsClient methods = slack.methods(token);
        String conversation = conversation(methods, channel);
        Optional<String> earlier = findEarlier(methods, channel, conversation, eventType, identity);
        if (earlier.isPresent()) {
            String id = conversationIds.getOrDefault(channel, conversation);
            LOG.infof("%s %s: reusing the message already in %s of the %s workspace (ts %s)", eventType, identity, channel,
                    workspace, earlier.get());
            return new Posted(id, earlier.get(), true);
        }
        String target = conversationIds.getOrDefault(channel, conversation);
        ChatPostMessageResponse posted = SlackCalls.call(workspace, "chat.postMessage", () -> methods.chatPostMessage(r -> r
                .channel(target)
                .text(text)
                .unfurlLinks(false)
                .metadata(new Message.Metadata(eventType, identity))));
        conversationIds.putIfAbsent(channel, posted.getChannel());
        return new Posted(posted.getChannel(), posted.getTs(), false);
    }

    /** The message's permanent link ({@code chat.getPermalink}). */
    public String permalink(String channelId, String ts) throws IOException {
        MethodsClient methods = slack.methods(token);
        return SlackCalls.call(workspace, "chat.getPermalink", () -> methods.chatGetPermalink(r -> r.channel(channelId).messageTs(ts)))
                .getPermalink();
    }

    /** What to ask history for: a known id, the DM of a user id, else the name as given (resolved on refusal). */
    private String conversation(MethodsClient methods, String channel) throws IOException {
        String known = conversationIds.get(channel);
        if (known != null) {
            return known;
        }
        if (USER_ID.matcher(channel).matches()) {
            String dm = SlackCalls.call(workspace, "conversations.open", () -> methods.conversationsOpen(r -> r.users(List.of(channel))))
                    .getChannel().getId();
            conversationIds.put(channel, dm);
            return dm;
        }
        return channel;
    }

    private Optional<String> findEarlier(MethodsClient methods, String channel, String conversation, String eventType,
                                         Map<String, Object> identity) throws IOException {
        String cursor = null;
        for (int page = 0; page < HISTORY_PAGES; page++) {
            ConversationsHistoryResponse history = history(methods, channel, conversation, cursor);
            for (Message m : history.getMessages() == null ? List.<Message>of() : history.getMessages()) {
                if (same(m.getMetadata(), eventType, identity)) {
                    return Optional.of(m.getTs());
                }
            }
            cursor = history.getResponseMetadata() == null ? null : history.getResponseMetadata().getNextCursor();
            if (!history.isHasMore() || cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return Optional.empty();
    }

    private ConversationsHistoryResponse history(MethodsClient methods, String channel, String conversation, String cursor)
            throws IOException {
        String method = "conversations.history";
        ConversationsHistoryResponse history = SlackCalls.unchecked(workspace, method, () -> methods.conversationsHistory(r -> r
                .channel(conversation).includeAllMetadata(true).limit(HISTORY_PAGE).cursor(cursor)));
        if (!history.isOk() && "channel_not_found".equals(history.getError()) && !CONVERSATION_ID.matcher(conversation).matches()) {
            // Slack's history wants a conversation id: find the id of the channel's name, then ask again.
            String id = resolveName(methods, channel);
            conversationIds.put(channel, id);
            history = SlackCalls.unchecked(workspace, method, () -> methods.conversationsHistory(r -> r
                    .channel(id).includeAllMetadata(true).limit(HISTORY_PAGE).cursor(cursor)));
        }
        return SlackCalls.checked(workspace, method, history);
    }

    private String resolveName(MethodsClient methods, String channel) throws IOException {
        String name = channel.startsWith("#") ? channel.substring(1) : channel;
        String cursor = null;
        do {
            String c = cursor;
            ConversationsListResponse list = SlackCalls.call(workspace, "conversations.list", () -> methods.conversationsList(r -> r
                    .types(List.of(ConversationType.PUBLIC_CHANNEL, ConversationType.PRIVATE_CHANNEL))
                    .excludeArchived(true).limit(200).cursor(c)));
            for (Conversation conversation : list.getChannels()) {
                if (name.equals(conversation.getName())) {
                    return conversation.getId();
                }
            }
            cursor = list.getResponseMetadata() == null ? null : list.getResponseMetadata().getNextCursor();
        } while (cursor != null && !cursor.isEmpty());
        throw new StepFailure("Slack channel " + channel + " not found in the " + workspace + " workspace (channel_not_found)", false);
    }

    private static boolean same(Message.Metadata metadata, String eventType, Map<String, Object> identity) {
        if (metadata == null || !eventType.equals(metadata.getEventType()) || metadata.getEventPayload() == null) {
            return false;
        }
        return identity.entrySet().stream().allMatch(e ->
                String.valueOf(e.getValue()).equals(String.valueOf(metadata.getEventPayload().get(e.getKey()))));
    }
}
