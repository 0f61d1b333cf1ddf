package dev.releasetrain.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slack Web API stand-in: {@code auth.test}, {@code chat.postMessage}, {@code conversations.history},
 * {@code chat.getPermalink}, {@code conversations.list}, {@code conversations.open} under {@code /api/}. Answers like Slack does: HTTP 200 with
 * {@code {"ok":true,...}} or {@code {"ok":false,"error":"..."}}, Content-Type application/json.
 * Accepts form-encoded or JSON bodies and query parameters; the token goes in
 * {@code Authorization: Bearer ...} (or a {@code token} parameter).
 * <p>
 * It serves several workspaces ({@link Workspace}), each known by its bot token, as one Slack app installed in
 * two workspaces is: a call acts in the workspace of its token and sees only that workspace's channels and
 * messages (a channel of another workspace is {@code channel_not_found}); a token of no workspace is
 * {@code invalid_auth}. Every stored message records its workspace.
 * <p>
 * Channels are addressed by id ({@code C0...}, unique across workspaces) or by name ({@code #releases} or
 * {@code releases}); a name not seen before by {@code chat.postMessage} creates the channel in that workspace.
 * Answers always carry the channel id, as Slack does. A user id ({@code U...}) as the channel of
 * {@code chat.postMessage} posts to the bot's direct-message conversation with that user ({@code D...}, the id
 * {@code conversations.open} returns), as Slack does.
 */
public final class SlackStandIn extends HttpStandIn {

    /** The workspace of the team (internal channels, direct messages to release owners). */
    public static final String TEAM = "team";
    /** The community workspace of PostHog's users ({@code #announcements}). */
    public static final String COMMUNITY = "community";
    public static final String TEAM_ID = "T0POSTHOG01";
    public static final String COMMUNITY_TEAM_ID = "T0POSTHOGUSR";
    public static final String BOT_USER_ID = "U0RELEASETRN";
    public static final String BOT_ID = "B0RELEASETRN";
    public static final String APP_ID = "A0RELEASETRN";
    private static final java.util.regex.Pattern USER_ID = java.util.regex.Pattern.compile("[UW][A-Z0-9]{6,}");
    private static final java.util.regex.Pattern CHANNEL_ID = java.util.regex.Pattern.compile("[CGD]0[0-9]{9}");
    private static final java.util.regex.Pattern CODE_BLOCK = java.util.regex.Pattern.compile("```(.*?)```", java.util.regex.Pattern.DOTALL);

    /**
     * A workspace: its name (as the sandbox's Java API knows it), the bot token that acts in it, Slack's team id,
     * its {@code <domain>.slack.com} and the channels it has from the start.
     */
    public record Workspace(String name, String token, String teamId, String domain, List<String> channels) {
        public Workspace {
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(token, "token");
            java.util.Objects.requireNonNull(teamId, "teamId");
            java.util.Objects.requireNonNull(domain, "domain");
            channels = List.copyOf(channels);
        }
    }

    /** One stored message, in posting order, with the workspace it was posted in. */
    public record Message(String workspace, String channelId, String channelName, String ts, String text, String threadTs,
                          JsonNode blocks, String metadataEventType, Map<String, Object> metadataPayload) {
        /** The message's metadata as Slack returns it, or null. */
        Map<String, Object> metadataJson() {
            if (metadataEventType == null) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event_type", metadataEventType);
            m.put("event_payload", metadataPayload == null ? Map.of() : metadataPayload);
            return m;
        }
    }

    /** The channels and messages of one workspace (guarded by the stand-in's lock). */
    private static final class Space {
        final Workspace workspace;
        final Map<String, String> channelIdsByName = new LinkedHashMap<>();
        final Map<String, String> channelNamesById = new LinkedHashMap<>();
        final Map<String, List<Message>> messagesByChannelId = new LinkedHashMap<>();
        final Map<String, String> directMessageIdsByUser = new LinkedHashMap<>();

        Space(Workspace workspace) {
            this.workspace = workspace;
        }
    }

    private final Map<String, Space> spaces = new LinkedHashMap<>();
    private final AtomicInteger channelSeq = new AtomicInteger();
    private final AtomicLong lastMicros = new AtomicLong();

    SlackStandIn(List<Workspace> workspaces) {
        super("slack");
        for (Workspace w : workspaces) {
            if (spaces.containsKey(w.name()) || spaces.values().stream().anyMatch(s -> s.workspace.token().equals(w.token()))) {
                throw new IllegalArgumentException("workspace names and tokens must be unique: " + w.name());
            }
            Space space = new Space(w);
            spaces.put(w.name(), space);
            for (String c : w.channels()) {
                channelId(space, c, true);
            }
        }
        if (!spaces.containsKey(TEAM)) {
            throw new IllegalArgumentException("the stand-in needs the workspace " + TEAM);
        }
    }

    /** The bot token of the team workspace. */
    public String token() {
        return token(TEAM);
    }

    /** The bot token of a workspace ({@link #TEAM}, {@link #COMMUNITY}). */
    public String token(String workspace) {
        return space(workspace).workspace.token();
    }

    /** The names of the workspaces, the team's first. */
    public List<String> workspaces() {
        return List.copyOf(spaces.keySet());
    }

    private Space space(String workspace) {
        Space space = spaces.get(workspace);
        if (space == null) {
            throw new IllegalArgumentException("no Slack workspace " + workspace + "; known: " + spaces.keySet());
        }
        return space;
    }

    /** The methods URL prefix to give slack-api-client ({@code .../api/}). */
    public String apiUrl() {
        return url() + "/api/";
    }

    /**
     * Messages of a channel of one workspace (id, name with or without '#', or a user id for the bot's direct
     * messages with that user), oldest first; none when the workspace has no such channel.
     */
    public synchronized List<Message> messages(String workspace, String channel) {
        Space space = space(workspace);
        String id = channelId(space, channel, false);
        return id == null ? List.of() : List.copyOf(space.messagesByChannelId.getOrDefault(id, List.of()));
    }

    /** Messages of the channels of that id or name in every workspace, oldest first (see {@link Message#workspace()}). */
    public synchronized List<Message> messages(String channel) {
        List<Message> all = new ArrayList<>();
        for (String workspace : spaces.keySet()) {
            all.addAll(messages(workspace, channel));
        }
        all.sort(java.util.Comparator.comparing(m -> new java.math.BigDecimal(m.ts())));
        return List.copyOf(all);
    }

    /** The channel id a name resolves to in the team workspace, or null when unknown. */
    public synchronized String channelIdOf(String channel) {
        return channelIdOf(TEAM, channel);
    }

    /** The channel id a name resolves to in a workspace, or null when unknown. */
    public synchronized String channelIdOf(String workspace, String channel) {
        return channelId(space(workspace), channel, false);
    }

    /**
     * The preformatted blocks of a message text ({@code ```...```}), with Slack's escapes of {@code &}, {@code <}
     * and {@code >} undone: what a person copies from the message, e.g. a command to paste into a shell.
     */
    public static List<String> codeBlocks(String text) {
        List<String> blocks = new ArrayList<>();
        java.util.regex.Matcher m = CODE_BLOCK.matcher(text == null ? "" : text);
        while (m.find()) {
            blocks.add(m.group(1).strip().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        return blocks;
    }

    // ---------------------------------------------------------------- HTTP

    @Override
    protected void handle(HttpExchange exchange) throws Exception {
        String path = exchange.getRequestURI().getPath();
        if (!path.startsWith("/api/")) {
            Http.sendText(exchange, 404, "text/plain", "not found");
            return;
        }
        String method = path.substring("/api/".length());
        Map<String, Object> params = params(exchange);
        String given = bearer(exchange);
        if (given == null && params.get("token") instanceof String t) {
            given = t;
        }
        Space space = workspaceOf(given);
        if (space == null) {
            ok(exchange, error("invalid_auth"));
            return;
        }
        Map<String, Object> answer = switch (method) {
            case "auth.test" -> authTest(space);
            case "chat.postMessage" -> postMessage(space, params);
            case "conversations.history" -> history(space, params);
            case "chat.getPermalink" -> permalink(space, params);
            case "conversations.list" -> list(space, params);
            case "conversations.open" -> open(space, params);
            case "api.test" -> Map.of("ok", true, "args", params);
            default -> error("unknown_method");
        };
        ok(exchange, answer);
    }

    /**
     * An injected fault as Slack answers it: 429 with {@code Retry-After} ({@code ratelimited}) and 5xx
     * ({@code fatal_error}) as HTTP errors; any other 4xx the way Slack refuses a call, HTTP 200 with
     * {@code ok:false}: 401 {@code invalid_auth}, otherwise {@code invalid_arguments} (not retryable by the
     * client nor by notify-service).
     */
    @Override
    protected void writeFault(HttpExchange exchange, int status) throws IOException {
        if (status == 429) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            Http.sendJson(exchange, 429, Map.of("ok", false, "error", "ratelimited"));
        } else if (status >= 400 && status < 500) {
            Http.sendJson(exchange, 200, Map.of("ok", false, "error", status == 401 ? "invalid_auth" : "invalid_arguments"));
        } else {
            Http.sendJson(exchange, status, Map.of("ok", false, "error", "fatal_error"));
        }
    }

    /** The workspace whose bot token this is, or null. */
    private Space workspaceOf(String token) {
        if (token == null) {
            return null;
        }
        for (Space space : spaces.values()) {
            if (space.workspace.token().equals(token)) {
                return space;
            }
        }
        return null;
    }

    private static void ok(HttpExchange exchange, Map<String, Object> answer) throws IOException {
        Http.sendJson(exchange, 200, answer);
    }

    private static Map<String, Object> error(String code) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", false);
        m.put("error", code);
        return m;
    }

    private static String bearer(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return auth.substring(7).trim();
    }

    private static Map<String, Object> params(HttpExchange exchange) throws IOException {
        Map<String, Object> params = new LinkedHashMap<>(Http.query(exchange));
        byte[] body = Http.body(exchange);
        if (body.length == 0) {
            return params;
        }
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).toLowerCase(Locale.ROOT);
        if (contentType.startsWith("application/json")) {
            params.putAll(Http.JSON.readValue(body, new TypeReference<Map<String, Object>>() { }));
        } else {
            params.putAll(Http.parseForm(new String(body, StandardCharsets.UTF_8)));
        }
        return params;
    }

    // ---------------------------------------------------------------- methods

    private Map<String, Object> authTest(Space space) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("url", "https://" + space.workspace.domain() + ".slack.com/");
        m.put("team", space.workspace.domain());
        m.put("user", "release-train");
        m.put("team_id", space.workspace.teamId());
        m.put("user_id", BOT_USER_ID);
        m.put("bot_id", BOT_ID);
        m.put("app_id", APP_ID);
        m.put("is_enterprise_install", false);
        return m;
    }

    private Map<String, Object> postMessage(Space space, Map<String, Object> params) {
        String channel = string(params.get("channel"));
        if (channel == null || channel.isBlank()) {
            return error("channel_not_found");
        }
        String text = string(params.get("text"));
        JsonNode blocks;
        Map<String, Object> metadata;
        try {
            blocks = json(params.get("blocks"));
            JsonNode meta = json(params.get("metadata"));
            metadata = meta == null || meta.isNull() ? null
                    : Http.JSON.convertValue(meta, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return error("invalid_arguments");
        }
        if (blocks != null && !blocks.isArray()) {
            return error("invalid_blocks");
        }
        if ((text == null || text.isEmpty()) && (blocks == null || blocks.isEmpty())) {
            return error("no_text");
        }
        String eventType = null;
        Map<String, Object> payload = null;
        if (metadata != null) {
            eventType = string(metadata.get("event_type"));
            if (eventType == null || eventType.isBlank()) {
                return error("invalid_metadata_format");
            }
            Object p = metadata.get("event_payload");
            if (p != null && !(p instanceof Map)) {
                return error("invalid_metadata_format");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> cast = p == null ? Map.of() : (Map<String, Object>) p;
            payload = cast;
        }
        Message message;
        synchronized (this) {
            String id = channelId(space, channel, true);
            if (id == null) {
                return error("channel_not_found");
            }
            message = new Message(space.workspace.name(), id, space.channelNamesById.get(id), nextTs(), text == null ? "" : text,
                    string(params.get("thread_ts")), blocks, eventType, payload);
            space.messagesByChannelId.computeIfAbsent(id, k -> new ArrayList<>()).add(message);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("channel", message.channelId());
        m.put("ts", message.ts());
        m.put("message", messageJson(space, message, true));
        return m;
    }

    private Map<String, Object> history(Space space, Map<String, Object> params) {
        String channel = string(params.get("channel"));
        List<Message> all;
        synchronized (this) {
            String id = channel == null ? null : channelId(space, channel, false);
            if (id == null) {
                return error("channel_not_found");
            }
            all = new ArrayList<>(space.messagesByChannelId.getOrDefault(id, List.of()));
        }
        Collections.reverse(all); // newest first
        boolean withMetadata = bool(params.get("include_all_metadata"));
        boolean inclusive = bool(params.get("inclusive"));
        String oldest = string(params.get("oldest"));
        String latest = string(params.get("latest"));
        List<Message> filtered = new ArrayList<>();
        for (Message m : all) {
            if (oldest != null && !oldest.isEmpty() && !after(m.ts(), oldest, inclusive)) {
                continue;
            }
            if (latest != null && !latest.isEmpty() && !after(latest, m.ts(), inclusive)) {
                continue;
            }
            filtered.add(m);
        }
        int limit = 100;
        String l = string(params.get("limit"));
        if (l != null && !l.isEmpty()) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                return error("invalid_limit");
            }
            if (limit <= 0) {
                limit = 100;
            }
            limit = Math.min(limit, 999);
        }
        int offset = 0;
        String cursor = string(params.get("cursor"));
        if (cursor != null && !cursor.isEmpty()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
                offset = Integer.parseInt(decoded.substring(decoded.indexOf(':') + 1));
            } catch (RuntimeException e) {
                return error("invalid_cursor");
            }
        }
        int end = Math.min(filtered.size(), offset + limit);
        List<Map<String, Object>> page = new ArrayList<>();
        for (int i = Math.min(offset, end); i < end; i++) {
            page.add(messageJson(space, filtered.get(i), withMetadata));
        }
        boolean hasMore = end < filtered.size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("messages", page);
        m.put("has_more", hasMore);
        m.put("pin_count", 0);
        m.put("channel_actions_ts", null);
        m.put("channel_actions_count", 0);
        m.put("response_metadata", Map.of("next_cursor", hasMore
                ? Base64.getEncoder().encodeToString(("offset:" + end).getBytes(StandardCharsets.UTF_8)) : ""));
        return m;
    }

    private Map<String, Object> permalink(Space space, Map<String, Object> params) {
        String channel = string(params.get("channel"));
        String ts = string(params.get("message_ts"));
        synchronized (this) {
            String id = channel == null ? null : channelId(space, channel, false);
            if (id == null) {
                return error("channel_not_found");
            }
            boolean found = space.messagesByChannelId.getOrDefault(id, List.of()).stream().anyMatch(m -> m.ts().equals(ts));
            if (!found) {
                return error("message_not_found");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", true);
            m.put("channel", id);
            m.put("permalink", "https://" + space.workspace.domain() + ".slack.com/archives/" + id + "/p" + ts.replace(".", ""));
            return m;
        }
    }

    /** Public and private channels (not direct messages), with cursor paging like history. */
    private Map<String, Object> list(Space space, Map<String, Object> params) {
        List<Map<String, Object>> all = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, String> c : space.channelNamesById.entrySet()) {
                if (space.directMessageIdsByUser.containsValue(c.getKey())) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.getKey());
                m.put("name", c.getValue());
                m.put("is_channel", true);
                m.put("is_group", false);
                m.put("is_im", false);
                m.put("is_private", false);
                m.put("is_archived", false);
                m.put("is_member", true);
                all.add(m);
            }
        }
        int limit = 100;
        String l = string(params.get("limit"));
        if (l != null && !l.isEmpty()) {
            try {
                limit = Math.max(1, Math.min(1000, Integer.parseInt(l)));
            } catch (NumberFormatException e) {
                return error("invalid_limit");
            }
        }
        int offset = 0;
        String cursor = string(params.get("cursor"));
        if (cursor != null && !cursor.isEmpty()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
                offset = Integer.parseInt(decoded.substring(decoded.indexOf(':') + 1));
            } catch (RuntimeException e) {
                return error("invalid_cursor");
            }
        }
        int end = Math.min(all.size(), offset + limit);
        boolean hasMore = end < all.size();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("channels", all.subList(Math.min(offset, end), end));
        m.put("response_metadata", Map.of("next_cursor", hasMore
                ? Base64.getEncoder().encodeToString(("offset:" + end).getBytes(StandardCharsets.UTF_8)) : ""));
        return m;
    }

    /** Opens (or finds) the direct-message conversation with one user. */
    private Map<String, Object> open(Space space, Map<String, Object> params) {
        String users = string(params.get("users"));
        if (users == null || users.isBlank()) {
            return error("users_list_not_supplied");
        }
        if (users.contains(",")) {
            return error("not_supported"); // group DMs are not needed here
        }
        if (!USER_ID.matcher(users.trim()).matches()) {
            return error("user_not_found");
        }
        String id;
        synchronized (this) {
            id = directMessage(space, users.trim());
        }
        Map<String, Object> channel = new LinkedHashMap<>();
        channel.put("id", id);
        channel.put("is_im", true);
        channel.put("user", users.trim());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("channel", channel);
        return m;
    }

    /** The direct-message conversation id of a user, created on first use (caller holds the lock). */
    private String directMessage(Space space, String user) {
        return space.directMessageIdsByUser.computeIfAbsent(user, u -> {
            String id = String.format("D0%09d", channelSeq.incrementAndGet());
            space.channelNamesById.put(id, u);
            space.channelIdsByName.put(u, id);
            return id;
        });
    }

    private static Map<String, Object> messageJson(Space space, Message message, boolean withMetadata) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "message");
        m.put("user", BOT_USER_ID);
        m.put("bot_id", BOT_ID);
        m.put("app_id", APP_ID);
        m.put("team", space.workspace.teamId());
        m.put("text", message.text());
        m.put("ts", message.ts());
        if (message.threadTs() != null) {
            m.put("thread_ts", message.threadTs());
        }
        if (message.blocks() != null) {
            m.put("blocks", message.blocks());
        }
        if (withMetadata && message.metadataEventType() != null) {
            m.put("metadata", message.metadataJson());
        }
        m.put("bot_profile", Map.of("id", BOT_ID, "app_id", APP_ID, "name", "Release Train", "team_id", space.workspace.teamId(),
                "deleted", false));
        return m;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Resolves an id or a name to a channel id of the workspace; creates the channel for an unknown name when asked
     * (never for an id: a channel id is another workspace's or none). The caller holds the lock.
     */
    private String channelId(Space space, String channel, boolean create) {
        String c = channel.trim();
        if (space.channelNamesById.containsKey(c)) {
            return c;
        }
        if (create && USER_ID.matcher(c).matches()) {
            return directMessage(space, c);
        }
        String name = c.startsWith("#") ? c.substring(1) : c;
        String id = space.channelIdsByName.get(name);
        if (id == null && create && !CHANNEL_ID.matcher(c).matches()) {
            id = String.format("C0%09d", channelSeq.incrementAndGet());
            space.channelIdsByName.put(name, id);
            space.channelNamesById.put(id, name);
        }
        return id;
    }

    /** Slack-style timestamps: seconds.microseconds, strictly increasing. */
    private String nextTs() {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        long ts = lastMicros.updateAndGet(prev -> Math.max(prev + 1, micros));
        return String.format("%d.%06d", ts / 1_000_000L, ts % 1_000_000L);
    }

    /** true when ts a is after b (or equal, when inclusive). */
    private static boolean after(String a, String b, boolean inclusive) {
        int cmp = new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b));
        return inclusive ? cmp >= 0 : cmp > 0;
    }

    private static String string(Object o) {
        return o == null ? null : o.toString();
    }

    private static boolean bool(Object o) {
        if (o instanceof Boolean b) {
            return b;
        }
        String s = string(o);
        return s != null && (s.equals("1") || s.equalsIgnoreCase("true"));
    }

    /** A JSON value given either as a JSON string (form-encoded calls) or as structured JSON. */
    private static JsonNode json(Object o) throws JsonProcessingException {
        if (o == null) {
            return null;
        }
        if (o instanceof String s) {
            return s.isBlank() ? null : Http.JSON.readTree(s);
        }
        return Http.JSON.valueToTree(o);
    }
}
