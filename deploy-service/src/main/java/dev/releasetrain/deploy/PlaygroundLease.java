package dev.releasetrain.deploy;

import dev.releasetrain.worker.Polling;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The playground is one Helm release shared by every release: a Kubernetes {@link Lease}
 * ({@code coordination.k8s.io/v1}, named {@code release-train-<helm release>} in its namespace) says which release
 * has it. {@code deploy.upgrade-playground} takes it before Helm runs and {@code deploy.verify-playground} gives it
 * back once the playground reports that release's version, so the upgrade and the check of one release are never
 * interleaved with another release's upgrade (two upgrades of one Helm release at once make Helm fail, and a check
 * would see the other release's version).
 *
 * <p>The lease lives in the cluster, so it holds across deploy-service instances and restarts. Its holder is the
 * release id: a rerun of the same release's step (a redelivery after a crash, a retry) finds it held by itself and
 * goes on. The holder renews it while it works; a lease not renewed for {@code release-train.deploy.lease-duration}
 * (a release that failed between its upgrade and its check, a service that died) may be taken over. Every change
 * carries the resourceVersion it read, so of two instances racing for it exactly one wins; the other looks again.
 *
 * <p>Between a release's upgrade and its check the coordinator records the upgrade and sends the check: seconds
 * normally, minutes when the stack is restarting or busy. A successful upgrade {@linkplain #handOver hands the
 * lease over} to the check with the longer {@code release-train.deploy.lease-handover} duration, so another release
 * does not take the playground in that gap. When it did anyway, the check knows it: {@link #acquire} says whether it
 * took the playground anew rather than finding it still held.
 */
@ApplicationScoped
public class PlaygroundLease {

    private static final Logger LOG = Logger.getLogger(PlaygroundLease.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

    @Inject
    KubernetesClient kubernetes;

    @ConfigProperty(name = "release-train.deploy.release-name", defaultValue = "posthog")
    String releaseName;

    @ConfigProperty(name = "release-train.deploy.namespace", defaultValue = "posthog")
    String namespace;

    /** How long a lease not renewed still counts as held. */
    @ConfigProperty(name = "release-train.deploy.lease-duration", defaultValue = "PT5M")
    Duration leaseDuration;

    /**
     * How long one attempt waits for another release's hold before it fails (retryable; the coordinator tries the
     * step again later). Short on purpose: a waiting attempt holds one of the service's worker threads, and with
     * more waiting releases than threads the holder's own check could not start.
     */
    @ConfigProperty(name = "release-train.deploy.lease-wait", defaultValue = "PT2M")
    Duration maxWait;

    /** How long the hold lasts unrenewed from a successful upgrade to its release's check (which renews it). */
    @ConfigProperty(name = "release-train.deploy.lease-handover", defaultValue = "PT30M")
    Duration handoverDuration;

    @ConfigProperty(name = "release-train.deploy.lease-poll-interval", defaultValue = "PT2S")
    Duration pollInterval;

    Clock clock = Clock.systemUTC();

    /** When this instance last wrote each holder's lease, to renew at a measured pace. */
    private final Map<String, Instant> renewed = new ConcurrentHashMap<>();

    public String name() {
        return "release-train-" + releaseName;
    }

    /** One attempt to take the lease: what it is now, and whether this attempt made {@code holder} its holder. */
    private record Take(Lease lease, boolean taken) {
    }

    /**
     * Holds the playground for {@code ctx}'s release, waiting (with progress) while another release holds it.
     * Fails retryably when the wait exceeds {@code lease-wait} or the cluster cannot be reached.
     *
     * @return true if the release took the playground anew (nobody held it, or another release's hold had expired
     *         or ended), false if it still held it: only then did no other release's upgrade run since its own
     */
    public boolean acquire(StepContext ctx) throws InterruptedException {
        String holder = ctx.releaseId();
        boolean[] tookIt = {false};
        try {
            ctx.await(Polling.Schedule.of(maxWait, pollInterval, PROGRESS_EVERY), waited -> {
                Take take = tryTake(holder);
                Lease seen = take.lease();
                tookIt[0] |= take.taken();
                if (holder.equals(holderOf(seen))) {
                    return Polling.Look.done(seen);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("heldBy", holderOf(seen));
                details.put("lease", namespace + "/" + name());
                details.put("waitedSeconds", waited.toSeconds());
                return Polling.Look.waiting(holderOf(seen), "the playground (" + namespace + "/" + releaseName
                        + ") is held by release " + holderOf(seen) + ", waiting for it to finish "
                        + "deploy.verify-playground (" + AwaitImages.human(waited) + " so far)", details);
            });
        } catch (Polling.TimedOut t) {
            throw new StepFailure("the playground (" + namespace + "/" + releaseName + ") is still held by release "
                    + t.state() + " after " + AwaitImages.human(t.waited()) + " (lease " + namespace + "/" + name()
                    + "); tried again later, or delete the lease if that release was abandoned", true);
        }
        return tookIt[0];
    }

    /**
     * After {@code holder}'s successful upgrade: keeps its hold for {@code lease-handover}, the gap until its check
     * takes over (and renews at the usual pace). A lease lost meanwhile is logged, not fatal: the check sees it.
     */
    public void handOver(String holder) {
        try {
            Lease seen = get();
            if (seen != null && holder.equals(holderOf(seen))) {
                replace(seen, holder, false, handoverDuration);
            } else {
                LOG.warnf("release %s upgraded the playground but no longer holds lease %s/%s (held by %s)", holder,
                        namespace, name(), holderOf(seen));
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("could not hand lease %s/%s of release %s over to its check: HTTP %d", namespace, name(), holder,
                    e.getCode());
        }
    }

    /** Renews the hold of {@code holder} if a fifth of the lease's duration passed since it was last written. */
    public void renewIfDue(String holder) {
        Instant last = renewed.get(holder);
        if (last == null || last.plus(leaseDuration.dividedBy(5)).isBefore(clock.instant())) {
            renew(holder);
        }
    }

    /** Renews the hold of {@code holder}, if it still has it; a lease lost meanwhile is logged, not fatal. */
    public void renew(String holder) {
        try {
            Lease seen = get();
            if (seen != null && holder.equals(holderOf(seen))) {
                replace(seen, holder, false, leaseDuration);
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("could not renew lease %s/%s for release %s: HTTP %d", namespace, name(), holder, e.getCode());
        }
    }

    /** Who holds the playground now, read only (for a plan): the holder and until when the hold lasts unrenewed. */
    public record Holder(String release, Instant until, boolean expired) {
    }

    /**
     * The current hold of the playground, if any (an expired one says so: the next upgrade takes it over). Reads the
     * Lease; takes nothing.
     */
    public Optional<Holder> holder() {
        Lease seen;
        try {
            seen = get();
        } catch (KubernetesClientException e) {
            throw new StepFailure("cannot read lease " + namespace + "/" + name() + " of the playground: HTTP " + e.getCode(),
                    true, e);
        }
        if (seen == null || seen.getSpec() == null || holderOf(seen) == null) {
            return Optional.empty();
        }
        ZonedDateTime at = seen.getSpec().getRenewTime() != null ? seen.getSpec().getRenewTime() : seen.getSpec().getAcquireTime();
        Integer seconds = seen.getSpec().getLeaseDurationSeconds();
        Instant until = at == null || seconds == null ? null : at.toInstant().plusSeconds(seconds);
        return Optional.of(new Holder(holderOf(seen), until, expired(seen)));
    }

    /** Gives the playground back if {@code holder} has it; true if it was released here. */
    public boolean release(String holder) {
        try {
            Lease seen = get();
            if (seen == null || !holder.equals(holderOf(seen))) {
                return false;
            }
            // delete exactly the version read: a lease taken over meanwhile is not ours to delete
            kubernetes.leases().inNamespace(namespace).withName(name())
                    .lockResourceVersion(seen.getMetadata().getResourceVersion()).delete();
            renewed.remove(holder);
            return true;
        } catch (KubernetesClientException e) {
            // not fatal: the lease expires after lease-duration
            LOG.warnf("could not release lease %s/%s of release %s: HTTP %d", namespace, name(), holder, e.getCode());
            return false;
        }
    }

    /** One attempt to take the lease for {@code holder}: held by holder when taken (or kept). */
    private Take tryTake(String holder) {
        try {
            Lease seen = get();
            if (seen == null) {
                Lease created = kubernetes.leases().inNamespace(namespace).resource(fresh(holder)).create();
                renewed.put(holder, clock.instant());
                return new Take(created, true);
            }
            if (holder.equals(holderOf(seen))) {
                return new Take(replace(seen, holder, false, leaseDuration), false);
            }
            if (expired(seen)) {
                LOG.infof("lease %s/%s of release %s expired; release %s takes the playground", namespace, name(),
                        holderOf(seen), holder);
                return new Take(replace(seen, holder, true, leaseDuration), true);
            }
            return new Take(seen, false);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new Take(get(), false); // another instance changed it between our read and write: look again
            }
            boolean needsAPerson = e.getCode() == 401 || e.getCode() == 403;
            throw new StepFailure("cannot take lease " + namespace + "/" + name() + " on the playground: HTTP "
                    + e.getCode() + " (" + Redaction.text(e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage() : e.getMessage()) + ")", !needsAPerson, e);
        }
    }

    private Lease get() {
        return kubernetes.leases().inNamespace(namespace).withName(name()).get();
    }

    private Lease fresh(String holder) {
        ZonedDateTime now = now();
        return new LeaseBuilder().withNewMetadata().withName(name()).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "release-train").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds((int) leaseDuration.toSeconds())
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0).endSpec().build();
    }

    /** Writes {@code seen} back with the given holder; the server refuses it (409) if it changed since. */
    private Lease replace(Lease seen, String holder, boolean takeover, Duration duration) {
        ZonedDateTime now = now();
        Integer transitions = seen.getSpec().getLeaseTransitions();
        Lease next = new LeaseBuilder(seen).editSpec().withHolderIdentity(holder)
                .withLeaseDurationSeconds((int) duration.toSeconds()).withRenewTime(now)
                .withAcquireTime(takeover ? now : seen.getSpec().getAcquireTime())
                .withLeaseTransitions(takeover ? (transitions == null ? 0 : transitions) + 1 : transitions)
                .endSpec().build();
        Lease written = kubernetes.leases().inNamespace(namespace).resource(next).update();
        renewed.put(holder, clock.instant());
        return written;
    }

    private boolean expired(Lease lease) {
        ZonedDateTime renewed = lease.getSpec().getRenewTime() != null ? lease.getSpec().getRenewTime()
                : lease.getSpec().getAcquireTime();
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        if (renewed == null || seconds == null) {
            return true; // not a lease anyone keeps
        }
        return renewed.toInstant().plusSeconds(seconds).isBefore(clock.instant());
    }

    private static String holderOf(Lease lease) {
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}
