package dev.releasetrain.deploy;

import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Waits until every tag of param {@code tags} (comma-separated) exists in the image registry, polling with
 * backoff and publishing a StepProgress each round (what is awaited, how long so far; each one extends the
 * attempt's deadline), bounded by {@code release-train.registry.max-wait}. Reads only, so it is safe to run
 * again. Outputs {@code tags} (tag -> digest) and {@code digest} (of the first tag).
 */
abstract class AwaitImages implements StepHandler {

    @Inject
    RegistryClient registry;

    @ConfigProperty(name = "release-train.registry.max-wait", defaultValue = "PT2H")
    Duration maxWait;

    @ConfigProperty(name = "release-train.registry.poll-interval", defaultValue = "PT5S")
    Duration pollInterval;

    @ConfigProperty(name = "release-train.registry.max-poll-interval", defaultValue = "PT1M")
    Duration maxPollInterval;

    /** Why the published tags are not yet what the step waits for (e.g. latest-release still elsewhere), if so. */
    protected Optional<String> notYet(Map<String, String> digests) throws InterruptedException {
        return Optional.empty();
    }

    @Override
    public StepOutcome run(StepContext ctx) throws InterruptedException {
        List<String> tags = Arrays.stream(ctx.param("tags").split(",")).map(String::strip).filter(t -> !t.isEmpty())
                .distinct().toList();
        if (tags.isEmpty()) {
            throw new StepFailure("step " + stepId() + " needs at least one tag in 'tags'", false);
        }
        String awaited = registry.image() + ":" + String.join(", ", tags);
        Polling.Schedule schedule = Polling.Schedule.of(maxWait, pollInterval, Duration.ZERO).withBackoff(1.5, maxPollInterval);
        try {
            return ctx.await(schedule, waited -> look(tags, awaited, waited));
        } catch (Polling.TimedOut t) {
            // Waiting longer may still help (a slow CI build): retryable, the coordinator's policy decides.
            return StepOutcome.failed("image " + awaited + " not ready after " + human(t.waited()) + " (max wait "
                    + human(maxWait) + "): " + t.state(), true);
        }
    }

    /** One look at every tag: done with the outputs, or what is missing (the state) and a progress report. */
    private Polling.Look<StepOutcome> look(List<String> tags, String awaited, Duration waited) throws InterruptedException {
        Map<String, String> digests = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        String problem = null;
        for (String tag : tags) {
            try {
                Optional<RegistryClient.TagInfo> info = registry.tag(tag);
                if (info.isPresent()) {
                    digests.put(tag, info.get().digest());
                } else {
                    missing.add(tag);
                }
            } catch (RegistryClient.Unavailable e) {
                problem = e.getMessage();
                missing.add(tag);
            }
        }
        Optional<String> inconsistent = missing.isEmpty() ? notYet(digests) : Optional.empty();
        if (missing.isEmpty() && inconsistent.isEmpty()) {
            Map<String, Object> outputs = new LinkedHashMap<>();
            outputs.put("tags", digests);
            outputs.put("digest", digests.get(tags.get(0)));
            return Polling.Look.done(StepOutcome.succeeded(outputs));
        }
        String state = !missing.isEmpty() ? "missing " + String.join(", ", missing) : inconsistent.get();
        if (problem != null) {
            state += " (" + problem + ")";
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("awaited", tags);
        details.put("missing", missing);
        details.put("seen", digests);
        details.put("waitedSeconds", waited.toSeconds());
        details.put("maxWaitSeconds", maxWait.toSeconds());
        return Polling.Look.waiting(state, "waiting for image " + awaited + " for " + human(waited) + ": " + state, details);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + "s" : s < 7200 ? (s / 60) + "m" + (s % 60 == 0 ? "" : " " + (s % 60) + "s") : (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
}
