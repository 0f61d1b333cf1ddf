package dev.releasetrain.notify;

import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Waits until a published post is live: its public URL answers 200 with the version in the page. The website
 * publishes a merged post only after its build, so the page is asked for every
 * {@code release-train.notify.website.live-poll-interval} (10 s), reporting progress whenever the answer changes and
 * at least every {@code live-progress-interval} (1 min), for at most {@code live-max-wait} (30 min). A page that
 * never comes up fails the step retryable, naming the URL and the last answer: a later attempt finds the pull
 * request merged and waits again.
 */
@ApplicationScoped
public class LivePost {

    @ConfigProperty(name = "release-train.notify.website.live-max-wait", defaultValue = "PT30M")
    Duration maxWait;

    @ConfigProperty(name = "release-train.notify.website.live-poll-interval", defaultValue = "PT10S")
    Duration pollInterval;

    @ConfigProperty(name = "release-train.notify.website.live-progress-interval", defaultValue = "PT1M")
    Duration progressInterval;

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    /** Returns once {@code url} answers 200 with {@code version} in its body; else fails the step, retryable. */
    public void await(StepContext ctx, String url, String version) throws InterruptedException {
        try {
            ctx.await(Polling.Schedule.of(maxWait, pollInterval, progressInterval), waited -> {
                String answer = look(url, version);
                if (answer == null) {
                    return Polling.Look.done(url);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("url", url);
                details.put("answer", answer);
                details.put("waitedSeconds", waited.toSeconds());
                return Polling.Look.waiting(answer, "waiting for the release post to be live at " + url + ": " + answer
                        + " after " + waited.toSeconds() + " s", details);
            });
        } catch (Polling.TimedOut t) {
            throw new StepFailure("the release post is merged but " + url + " did not answer 200 with " + version
                    + " within " + maxWait.toString().substring(2).toLowerCase() + " (release-train.notify.website.live-max-wait): "
                    + "last answer " + t.state() + "; check the website's build and deployment", true);
        }
    }

    /** Null when the page is live; else what it answered, in words. */
    private String look(String url, String version) throws InterruptedException {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("User-Agent", "release-train").GET().build();
        } catch (IllegalArgumentException e) {
            throw new StepFailure("the release post's URL " + url + " is not an http(s) URL "
                    + "(release-train.notify.website.site-url)", false);
        }
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "HTTP " + response.statusCode();
            }
            return response.body().contains(version) ? null : "HTTP 200 without " + version + " in the page";
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + ReleasePost.firstLine(e.getMessage()));
        }
    }
}
