package dev.releasetrain.notify;

import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepHandler;
import dev.releasetrain.worker.StepOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code notify.post-message}: tells the release channel ({@code release-train.slack.channel}, team workspace)
 * that the release went through the proving runbook. Idempotent through {@link SlackMessages#postOnce}: metadata
 * {@code release_train_step {release, step}}. Outputs {@code channel} (its id) and {@code ts}.
 */
@ApplicationScoped
public class PostMessage implements StepHandler {

    static final String EVENT_TYPE = "release_train_step";

    @Inject
    SlackWorkspaces slack;

    @ConfigProperty(name = "release-train.slack.channel", defaultValue = "#releases")
    String channel;

    @Override
    public String stepId() {
        return "notify.post-message";
    }

    @Override
    public StepOutcome run(StepContext ctx) throws IOException {
        String version = ctx.param("version");
        SlackMessages.Posted posted = slack.team().postOnce(channel,
                "Release Train: release " + version + " went through the proving runbook", EVENT_TYPE, stepIdentity(ctx));
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("channel", posted.channel());
        outputs.put("ts", posted.ts());
        return StepOutcome.succeeded(outputs);
    }

    /** The metadata payload that identifies one step of one release. */
    static Map<String, Object> stepIdentity(StepContext ctx) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("release", ctx.releaseId());
        payload.put("step", ctx.step());
        return payload;
    }
}
