package dev.releasetrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.protocol.CloudEventCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The coordinator's REST API and its Server-Sent Event stream, as a person's tool calls them. */
public final class ReleaseClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String user;
    private final String token;

    /** {@code token}: the caller's API bearer token (sent as {@code Authorization: Bearer}, never printed). */
    public ReleaseClient(String baseUrl, String user, String token) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.user = user;
        this.token = token;
    }

    /** An HTTP answer: status and JSON body (null when empty). */
    public record Answer(int status, JsonNode body, String location) {
        public String message() {
            return body != null && body.has("message") ? body.get("message").asText() : String.valueOf(body);
        }
    }

    public Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)));
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(authorized(b).header("X-Release-Train-User", user).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body() == null || r.body().isBlank() ? null : CloudEventCodec.json().readTree(r.body());
            return new Answer(r.statusCode(), body, r.headers().firstValue("Location").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the coordinator at " + base + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Why a call did not get through, in words: the JDK's connection refusal has no message of its own, and a
     * person who has not pointed the CLI at a coordinator needs to hear how to.
     */
    static String why(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "nothing answers there (is it running? `./release-train up` prints its address; give it with --url "
                    + "or RELEASE_TRAIN_URL)";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within 30 s";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    /** One Server-Sent Event: id (the event's seq in its release), event name (its type) and JSON data. */
    public record Sse(long id, String type, JsonNode data) {
    }

    /**
     * Reads the release's event stream (resuming after {@code lastEventId} when not null), handing
     * each event to {@code onEvent} until it returns false or the server ends the stream.
     */
    public void follow(String version, Long lastEventId, Predicate<Sse> onEvent) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/releases/" + version + "/events"))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", Long.toString(lastEventId));
        }
        try {
            HttpResponse<Stream<String>> r = http.send(authorized(b).build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("event stream of " + version + " answered " + r.statusCode());
            }
            try (Stream<String> lines = r.body()) {
                Iterator<String> it = lines.iterator();
                String id = null;
                String event = null;
                StringBuilder data = new StringBuilder();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.isEmpty()) {
                        if (data.length() > 0 && id != null) {
                            Sse sse = new Sse(Long.parseLong(id), event, CloudEventCodec.json().readTree(data.toString()));
                            if (!onEvent.test(sse)) {
                                return;
                            }
                        }
                        id = null;
                        event = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        if (data.length() > 0) {
                            data.append('\n');
                        }
                        data.append(line.substring(5).stripLeading());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("event stream of " + version + " broke: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
