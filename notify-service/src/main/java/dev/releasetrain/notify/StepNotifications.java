package dev.releasetrain.notify;

import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.KafkaHeaders;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.GateOpened;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepFailed;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepTimedOut;
import dev.releasetrain.worker.SecretRedactor;
import dev.releasetrain.worker.StepFailure;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Tells people what needs them: every {@code StepFailed}, {@code StepTimedOut} and {@code GateOpened} on
 * {@code release.events} becomes a direct message to the release owner (the Slack user id
 * {@code ReleaseStarted.params.ownerSlack}) in the team workspace, naming the release, the step, the reason and
 * the commands that retry the step or approve the gate ({@link CoordinatorCommands}: curl and the CLI, ready to
 * paste, the token taken from the environment); a failed or timed-out {@code deploy.*} step also goes to the
 * platform team's channel.
 *
 * <p>The owner of each release is remembered from its ReleaseStarted (and from the release variables every
 * StepRequested carries, so a restart that resumes after the ReleaseStarted still finds it); the consumer group
 * of its own reads the topic from the beginning when new. When the owner is unknown the message goes to the team
 * channel instead. One message per event id and destination: the id travels in the message's metadata and
 * {@link SlackMessages#postOnce} looks for it before posting; ids already sent are also remembered. Events older
 * than {@code release-train.notify.step-notifications.max-age} are not notified (a new group replays history).
 */
@ApplicationScoped
public class StepNotifications {
    private static final Logger LOG = Logger.getLogger(StepNotifications.class);
    static final String EVENT_TYPE = "release_train_notification";
    private static final int REMEMBERED = 10_000;
    private static final int ATTEMPTS = 3;

    @Inject
    SlackWorkspaces slack;

    @Inject
    SecretRedactor redactor;

    @ConfigProperty(name = "release-train.notify.channels.platform", defaultValue = "#team-platform")
    String platformChannel;

    @ConfigProperty(name = "release-train.notify.channels.team", defaultValue = "#team-releases")
    String teamChannel;

    @ConfigProperty(name = "release-train.notify.coordinator-url")
    String coordinatorUrl;

    @ConfigProperty(name = "release-train.notify.step-notifications.max-age", defaultValue = "PT24H")
    Duration maxAge;

    @ConfigProperty(name = "release-train.notify.step-notifications.retry-backoff", defaultValue = "PT1S")
    Duration retryBackoff;

    /** Release -> the owner's Slack user id. */
    private final Map<String, String> ownerSlack = new HashMap<>();
    private final Set<String> sent = new LinkedHashSet<>();

    @Incoming("release-events")
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        try {
            Map<String, String> headers = message.getMetadata(IncomingKafkaRecordMetadata.class)
                    .map(m -> KafkaHeaders.toMap(m.getHeaders())).orElse(Map.of());
            on(CloudEventCodec.decode(headers, message.getPayload()));
        } catch (CloudEventCodec.UndecodableMessage e) {
            LOG.warnf("skipping an undecodable message on release.events: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("could not notify about an event of release.events: %s", redactor.redact(String.valueOf(e.getMessage())));
        }
        return message.ack();
    }

    /** Handles one event of a release stream (public for tests that feed events directly). */
    public void on(Envelope event) {
        ReleaseEvent data = event.data();
        if (data instanceof ReleaseStarted started) {
            remember(event.releaseId(), started.params());
            return;
        }
        if (data instanceof StepRequested requested) {
            remember(event.releaseId(), requested.params());
            return;
        }
        if (!(data instanceof StepFailed || data instanceof StepTimedOut || data instanceof GateOpened)) {
            return;
        }
        if (event.time().isBefore(Instant.now().minus(maxAge))) {
            LOG.debugf("not notifying event %s of release %s: older than %s", event.id(), event.releaseId(), maxAge);
            return;
        }
        List<String> destinations = new ArrayList<>();
        String owner = owner(event.releaseId());
        destinations.add(owner != null ? owner : teamChannel);
        String step = data.step();
        if (step != null && step.startsWith("deploy.") && (data instanceof StepFailed || data instanceof StepTimedOut)) {
            destinations.add(platformChannel);
        }
        for (String destination : destinations) {
            String text = text(event, destination.equals(platformChannel) && !destination.equals(owner), owner == null);
            send(event, destination, redactor.redact(text));
        }
    }

    private synchronized void remember(String release, Map<String, String> params) {
        if (params == null) {
            return;
        }
        String slackUser = params.get("ownerSlack");
        if (slackUser != null && !slackUser.isBlank()) {
            ownerSlack.put(release, slackUser.strip());
        }
    }

    synchronized String owner(String release) {
        return ownerSlack.get(release);
    }

    private void send(Envelope event, String destination, String text) {
        String key = event.id() + "->" + destination;
        synchronized (this) {
            if (sent.contains(key)) {
                return;
            }
        }
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("release", event.releaseId());
        identity.put("event", event.id());
        for (int attempt = 1; ; attempt++) {
            try {
                SlackMessages.Posted posted = slack.team().postOnce(destination, text, EVENT_TYPE, identity);
                LOG.infof("release %s: %s about %s %s in %s (ts %s)", event.releaseId(), posted.reused() ? "found the message"
                        : "notified", event.type(), event.data().step(), destination, posted.ts());
                synchronized (this) {
                    sent.add(key);
                    if (sent.size() > REMEMBERED) {
                        sent.remove(sent.iterator().next());
                    }
                }
                return;
            } catch (StepFailure | java.io.IOException e) {
                boolean retryable = !(e instanceof StepFailure f) || f.retryable();
                if (!retryable || attempt >= ATTEMPTS) {
                    LOG.warnf("release %s: could not notify %s about event %s: %s", event.releaseId(), destination, event.id(),
                            redactor.redact(String.valueOf(e.getMessage())));
                    return;
                }
                try {
                    Thread.sleep(retryBackoff.toMillis() * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The message: what happened, why, and the commands (curl, CLI) that move the release on. */
    String text(Envelope event, boolean forPlatform, boolean ownerUnknown) {
        String release = event.releaseId();
        CoordinatorCommands commands = new CoordinatorCommands(coordinatorUrl);
        StringBuilder sb = new StringBuilder();
        if (forPlatform) {
            sb.append(":rotating_light: team-platform, the release needs you: ");
        } else if (ownerUnknown) {
            sb.append("(the release owner is not known to Release Train, so this comes here) ");
        }
        ReleaseEvent data = event.data();
        if (data instanceof StepFailed f) {
            sb.append(":x: Release *").append(release).append("*: step `").append(f.step()).append("` failed (attempt ")
                    .append(f.attempt()).append("): ").append(f.reason()).append('\n');
            sb.append(console(commands, release, f.step()));
            sb.append(f.retryable() ? "The failure may pass: the coordinator retries by the step's policy. To retry now"
                    : "A person must fix the cause, then retry");
            sb.append(steps(commands.retryCurl(release, f.step()), commands.retryCli(release, f.step()), "a release manager's"));
        } else if (data instanceof StepTimedOut t) {
            sb.append(":hourglass: Release *").append(release).append("*: step `").append(t.step()).append("` timed out (attempt ")
                    .append(t.attempt()).append(", deadline ").append(t.deadline()).append("): no result or progress came in time.\n");
            sb.append(console(commands, release, t.step()));
            sb.append("Check the service, then retry");
            sb.append(steps(commands.retryCurl(release, t.step()), commands.retryCli(release, t.step()), "a release manager's"));
        } else if (data instanceof GateOpened g) {
            sb.append(":vertical_traffic_light: Release *").append(release).append("*: gate `").append(g.gate())
                    .append("` is waiting for approval by ").append(g.approvers() == null ? "the approvers" : g.approvers());
            if (g.reason() != null && !g.reason().isBlank()) {
                sb.append(" (").append(g.reason()).append(')');
            }
            sb.append(".\n");
            sb.append(console(commands, release, g.gate()));
            sb.append(g.autoApproveAt() != null ? "It opens by itself at " + g.autoApproveAt() + "; to approve earlier" : "To approve");
            sb.append(steps(commands.approveCurl(release, g.gate()), commands.approveCli(release, g.gate()), "an approver's"));
        }
        return sb.toString();
    }

    /** The link to the step on the release's page in the web console. */
    private static String console(CoordinatorCommands commands, String release, String step) {
        return "In the console: " + CoordinatorCommands.slackLink(commands.consoleLink(release, step), release + " " + step) + "\n";
    }

    /** The two ways to do it, each a block to paste; whose token they need. */
    private static String steps(String curl, String cli, String whoseToken) {
        return " (with " + whoseToken + " token exported as " + CoordinatorCommands.TOKEN_VARIABLE + "):\n"
                + CoordinatorCommands.block(curl) + "\nor, in a checkout of Release Train:\n" + CoordinatorCommands.block(cli);
    }
}
