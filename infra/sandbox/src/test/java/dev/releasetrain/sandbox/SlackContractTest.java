package dev.releasetrain.sandbox;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.auth.AuthTestResponse;
import com.slack.api.methods.response.chat.ChatGetPermalinkResponse;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsHistoryResponse;
import com.slack.api.model.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.slack.api.model.block.Blocks.asBlocks;
import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Slack stand-in as seen by slack-api-client 1.51.0, the client notify-service uses. */
class SlackContractTest {

    @TempDir
    static Path workDir;
    static Sandbox sandbox;
    static Slack slack;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.start(workDir);
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(sandbox.slack().apiUrl());
        config.setStatsEnabled(false);
        slack = Slack.getInstance(config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (slack != null) {
            slack.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static MethodsClient methods() {
        return slack.methods(sandbox.slack().token());
    }

    @Test
    void authTestAnswersForTheConfiguredToken() throws Exception {
        AuthTestResponse r = methods().authTest(req -> req);
        assertTrue(r.isOk(), r.getError());
        assertEquals(SlackStandIn.TEAM_ID, r.getTeamId());
        assertEquals(SlackStandIn.BOT_USER_ID, r.getUserId());
        assertEquals(SlackStandIn.BOT_ID, r.getBotId());
    }

    @Test
    void postedMessageWithMetadataIsFoundBackInHistory() throws Exception {
        ChatPostMessageResponse posted = methods().chatPostMessage(req -> req
                .channel("#releases")
                .text("Release Train: release 1.29.0 went through the proving runbook")
                .blocks(asBlocks(section(s -> s.text(markdownText("*1.29.0* is out")))))
                .metadata(new Message.Metadata("release_train_step",
                        Map.of("release", "1.29.0", "step", "notify.post-message", "commandId", "cmd-42"))));
        assertTrue(posted.isOk(), posted.getError());
        String channelId = posted.getChannel();
        assertTrue(channelId.startsWith("C"), channelId);
        assertNotNull(posted.getTs());
        assertEquals("Release Train: release 1.29.0 went through the proving runbook", posted.getMessage().getText());

        // another message after it: history is newest first
        ChatPostMessageResponse later = methods().chatPostMessage(req -> req.channel(channelId).text("later"));
        assertTrue(later.isOk(), later.getError());

        ConversationsHistoryResponse history = methods().conversationsHistory(req -> req
                .channel(channelId).limit(50).includeAllMetadata(true));
        assertTrue(history.isOk(), history.getError());
        List<Message> messages = history.getMessages();
        assertEquals("later", messages.get(0).getText());
        Message found = messages.stream().filter(m -> m.getTs().equals(posted.getTs())).findFirst().orElseThrow();
        assertEquals("release_train_step", found.getMetadata().getEventType());
        assertEquals("cmd-42", found.getMetadata().getEventPayload().get("commandId"));
        assertEquals("1.29.0", found.getMetadata().getEventPayload().get("release"));
        assertEquals(1, found.getBlocks().size());
        assertEquals(SlackStandIn.BOT_ID, found.getBotId());

        // without include_all_metadata the metadata is not returned
        ConversationsHistoryResponse plain = methods().conversationsHistory(req -> req.channel(channelId));
        assertTrue(plain.isOk(), plain.getError());
        assertNull(plain.getMessages().stream().filter(m -> m.getTs().equals(posted.getTs()))
                .findFirst().orElseThrow().getMetadata());

        // pagination: limit 1 -> has_more with a cursor that leads to the next message
        ConversationsHistoryResponse first = methods().conversationsHistory(req -> req.channel(channelId).limit(1));
        assertTrue(first.isHasMore());
        String cursor = first.getResponseMetadata().getNextCursor();
        ConversationsHistoryResponse second = methods().conversationsHistory(req -> req.channel(channelId).limit(1).cursor(cursor));
        assertEquals(posted.getTs(), second.getMessages().get(0).getTs());

        ChatGetPermalinkResponse link = methods().chatGetPermalink(req -> req.channel(channelId).messageTs(posted.getTs()));
        assertTrue(link.isOk(), link.getError());
        assertTrue(link.getPermalink().contains(channelId), link.getPermalink());

        List<SlackStandIn.Message> stored = sandbox.slack().messages("#releases");
        assertEquals(posted.getTs(), stored.get(0).ts());
        assertEquals("release_train_step", stored.get(0).metadataEventType());
        assertEquals(stored, sandbox.slack().messages(channelId));
    }

    @Test
    void wrongOrMissingTokenIsRejected() throws Exception {
        ChatPostMessageResponse wrong = slack.methods("xoxb-wrong").chatPostMessage(req -> req.channel("#releases").text("x"));
        assertFalse(wrong.isOk());
        assertEquals("invalid_auth", wrong.getError());

        HttpResponse<String> missing = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sandbox.slack().apiUrl() + "chat.postMessage"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("channel=%23releases&text=x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, missing.statusCode());
        assertTrue(missing.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("{\"ok\":false,\"error\":\"invalid_auth\"}", missing.body());
    }

    @Test
    void jsonBodiesAreAcceptedToo() throws Exception {
        String body = "{\"channel\":\"#team-releases\",\"text\":\"hello\",\"metadata\":{\"event_type\":\"t\","
                + "\"event_payload\":{\"k\":\"json\"}}}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sandbox.slack().apiUrl() + "chat.postMessage"))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Authorization", "Bearer " + sandbox.slack().token())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains("\"ok\":true"), r.body());
        SlackStandIn.Message m = sandbox.slack().messages(SlackStandIn.TEAM, "team-releases").stream()
                .filter(x -> Map.of("k", "json").equals(x.metadataPayload())).findFirst().orElseThrow();
        assertEquals("hello", m.text());
    }

    @Test
    void eachTokenActsInItsOwnWorkspaceAndEveryMessageRecordsItsWorkspace() throws Exception {
        MethodsClient community = slack.methods(sandbox.slack().token(SlackStandIn.COMMUNITY));
        AuthTestResponse who = community.authTest(req -> req);
        assertTrue(who.isOk(), who.getError());
        assertEquals(SlackStandIn.COMMUNITY_TEAM_ID, who.getTeamId());
        assertEquals("https://posthogusers.slack.com/", who.getUrl());

        ChatPostMessageResponse announced = community.chatPostMessage(req -> req.channel("#announcements").text("PostHog 1.29.0 is out"));
        assertTrue(announced.isOk(), announced.getError());
        assertEquals(sandbox.slack().channelIdOf(SlackStandIn.COMMUNITY, "#announcements"), announced.getChannel());
        assertEquals("https://posthogusers.slack.com/archives/" + announced.getChannel() + "/p" + announced.getTs().replace(".", ""),
                community.chatGetPermalink(req -> req.channel(announced.getChannel()).messageTs(announced.getTs())).getPermalink());

        // the team's token neither sees the community's channel by name or id, nor posts into it
        assertEquals("channel_not_found", methods().conversationsHistory(req -> req.channel("#announcements")).getError());
        assertEquals("channel_not_found", methods().conversationsHistory(req -> req.channel(announced.getChannel())).getError());
        assertEquals("channel_not_found", methods().chatPostMessage(req -> req.channel(announced.getChannel()).text("x")).getError());
        assertFalse(methods().conversationsList(req -> req.limit(100)).getChannels().stream()
                .anyMatch(c -> c.getId().equals(announced.getChannel())));
        assertEquals(List.of("PostHog 1.29.0 is out"), community.conversationsHistory(req -> req.channel(announced.getChannel()))
                .getMessages().stream().map(Message::getText).toList());

        List<SlackStandIn.Message> stored = sandbox.slack().messages(SlackStandIn.COMMUNITY, "announcements");
        assertEquals(1, stored.size());
        assertEquals(SlackStandIn.COMMUNITY, stored.get(0).workspace());
        assertEquals(List.of(), sandbox.slack().messages(SlackStandIn.TEAM, "announcements"));
        assertEquals(stored, sandbox.slack().messages("#announcements"), "by channel name alone: every workspace");

        ChatPostMessageResponse internal = methods().chatPostMessage(req -> req.channel("#team-releases").text("internal"));
        assertEquals(SlackStandIn.TEAM, sandbox.slack().messages(SlackStandIn.TEAM, internal.getChannel()).stream()
                .filter(m -> m.ts().equals(internal.getTs())).findFirst().orElseThrow().workspace());
        assertEquals(List.of(), sandbox.slack().messages(SlackStandIn.COMMUNITY, "#team-releases"));
        assertEquals(List.of(SlackStandIn.TEAM, SlackStandIn.COMMUNITY), sandbox.slack().workspaces());
    }

    @Test
    void aTokenOfNoWorkspaceIsInvalidAuthAndTheAnswerNamesNoToken() throws Exception {
        String unknown = "xoxb-of-another-slack-app-000000";
        AuthTestResponse r = slack.methods(unknown).authTest(req -> req);
        assertFalse(r.isOk());
        assertEquals("invalid_auth", r.getError());
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sandbox.slack().apiUrl() + "chat.postMessage"))
                .header("Authorization", "Bearer " + unknown)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("channel=%23announcements&text=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("{\"ok\":false,\"error\":\"invalid_auth\"}", raw.body());
        assertEquals(List.of(), sandbox.slack().messages("announcements").stream().filter(m -> m.text().equals("x")).toList());
    }

    @Test
    void codeBlocksAreWhatAPersonCopiesWithSlacksEscapesUndone() {
        String text = "Retry it:\n```curl -d '{\"a\":1}' 'http://h/x?a=1&amp;b=&lt;2&gt;'```\nor `inline` and\n```\nrelease-train retry 1.29.0 s\n```";
        assertEquals(List.of("curl -d '{\"a\":1}' 'http://h/x?a=1&b=<2>'", "release-train retry 1.29.0 s"),
                SlackStandIn.codeBlocks(text));
        assertEquals(List.of(), SlackStandIn.codeBlocks("no `code block` here"));
    }

    @Test
    void historyOfAnUnknownChannelIsChannelNotFound() throws Exception {
        ConversationsHistoryResponse r = methods().conversationsHistory(req -> req.channel("C0NOSUCHCHAN"));
        assertFalse(r.isOk());
        assertEquals("channel_not_found", r.getError());
    }

    @Test
    void channelsAreListedByNameAndIdWithoutDirectMessages() throws Exception {
        var list = methods().conversationsList(req -> req.types(List.of(
                com.slack.api.model.ConversationType.PUBLIC_CHANNEL, com.slack.api.model.ConversationType.PRIVATE_CHANNEL)).limit(2));
        assertTrue(list.isOk(), list.getError());
        assertEquals(2, list.getChannels().size());
        assertFalse(list.getResponseMetadata().getNextCursor().isEmpty());
        var rest = methods().conversationsList(req -> req.cursor(list.getResponseMetadata().getNextCursor()).limit(100));
        List<String> names = new java.util.ArrayList<>(list.getChannels().stream().map(c -> c.getName()).toList());
        rest.getChannels().forEach(c -> names.add(c.getName()));
        assertTrue(names.containsAll(List.of("releases", "team-platform", "marketing", "team-releases")), names.toString());
        assertFalse(names.contains("announcements"), "a channel of the community workspace: " + names);
        assertEquals(sandbox.slack().channelIdOf("#marketing"), rest.getChannels().stream()
                .filter(c -> c.getName().equals("marketing")).findFirst().orElseThrow().getId());
    }

    @Test
    void aDirectMessageGoesToTheConversationThatConversationsOpenNames() throws Exception {
        var open = methods().conversationsOpen(req -> req.users(List.of("U024BE7LH")));
        assertTrue(open.isOk(), open.getError());
        String dm = open.getChannel().getId();
        assertTrue(dm.startsWith("D"), dm);
        ChatPostMessageResponse posted = methods().chatPostMessage(req -> req.channel("U024BE7LH").text("your step failed"));
        assertTrue(posted.isOk(), posted.getError());
        assertEquals(dm, posted.getChannel());
        ConversationsHistoryResponse history = methods().conversationsHistory(req -> req.channel(dm));
        assertEquals("your step failed", history.getMessages().get(0).getText());
        assertEquals(1, sandbox.slack().messages("U024BE7LH").size());
        var again = methods().conversationsOpen(req -> req.users(List.of("U024BE7LH")));
        assertEquals(dm, again.getChannel().getId());
        var names = methods().conversationsList(req -> req.limit(100)).getChannels().stream().map(c -> c.getId()).toList();
        assertFalse(names.contains(dm));
    }
}
