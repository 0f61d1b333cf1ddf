package dev.releasetrain.coordinator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * A service's {@code POST /plan} at {@code release-train.plan.services.<service>} (git, deploy, cdn, notify): what
 * its steps would do, computed there by the steps' own code, read-only. Asked asynchronously (the plan asks several
 * services at once), with the internal token {@code release-train.plan.token} as a bearer token, within
 * {@code release-train.plan.timeout}. Without the service's address, its steps are not planned; nor when it does
 * not answer in time or answers with an error: the answer says why, never with the token.
 */
@ApplicationScoped
public class PlanClient {
    static final String SERVICES = "release-train.plan.services.";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Config config;

    @ConfigProperty(name = "release-train.plan.token")
    Optional<String> token;

    @ConfigProperty(name = "release-train.plan.timeout", defaultValue = "PT2M")
    Duration timeout;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A step as its command would carry it. */
    public record Step(String step, String handler, Map<String, String> params) {
    }

    /** The answer's steps by their order, or why there is none. */
    public record Answer(JsonNode steps, String unavailable) {
    }

    /** The plan of {@code steps} by {@code service}; never fails: a problem is the answer's {@code unavailable}. */
    public CompletableFuture<Answer> plan(String service, List<Step> steps) {
        Optional<String> address = config.getOptionalValue(SERVICES + service, String.class).map(String::strip)
                .filter(a -> !a.isEmpty());
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(new Answer(null, SERVICES + service + " (the " + service
                    + " service's address) is not set"));
        }
        String url = address.get().replaceAll("/+$", "") + "/plan";
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("steps", steps))));
            token.map(String::strip).filter(t -> !t.isEmpty()).ifPresent(t -> b.header("Authorization", "Bearer " + t));
            request = b.build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Answer(null, SERVICES + service + " is not a URL: " + address.get()));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        return new Answer(null, unreachable(service, url, failure));
                    }
                    if (response.statusCode() != 200) {
                        return new Answer(null, "the " + service + " service answered " + response.statusCode() + " at " + url
                                + message(response.body()));
                    }
                    try {
                        return new Answer(JSON.readTree(response.body()).path("steps"), null);
                    } catch (IOException e) {
                        return new Answer(null, "the " + service + " service sent an unreadable plan from " + url);
                    }
                });
    }

    private String unreachable(String service, String url, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return "the " + service + " service at " + url + " did not answer within "
                    + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms");
        }
        return "the " + service + " service at " + url + " could not be reached: " + cause;
    }

    /** The service's error message ({@code {"message": ..}}), if it sent one. */
    private static String message(byte[] body) {
        try {
            JsonNode m = JSON.readTree(body).path("message");
            return m.isTextual() && !m.asText().isBlank() ? ": " + m.asText() : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
