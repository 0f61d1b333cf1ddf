package dev.releasetrain.coordinator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The git service's {@code POST /plan} at {@code release-train.plan.services.git}: what the git steps would do,
 * computed there by the steps' own code. Without the setting, the git steps are not planned.
 */
@ApplicationScoped
public class GitPlanClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "release-train.plan.services.git")
    Optional<String> gitServiceUrl;

    @ConfigProperty(name = "release-train.plan.timeout", defaultValue = "PT2M")
    Duration timeout;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** A git step as its command would carry it. */
    public record Step(String step, String handler, Map<String, String> params) {
    }

    /** The answer's steps by their order, or why there is none. */
    public record Answer(JsonNode steps, String unavailable) {
    }

    public Answer plan(List<Step> steps) {
        if (gitServiceUrl.isEmpty() || gitServiceUrl.get().isBlank()) {
            return new Answer(null, "release-train.plan.services.git (the git service's address) is not set");
        }
        String url = gitServiceUrl.get().replaceAll("/+$", "") + "/plan";
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(Map.of("steps", steps)))).build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return new Answer(null, "the git service answered " + response.statusCode() + " at " + url);
            }
            return new Answer(JSON.readTree(response.body()).path("steps"), null);
        } catch (IOException e) {
            return new Answer(null, "the git service at " + url + " could not be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted while asking the git service at " + url);
        }
    }
}
