package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.metrics.BusMetrics;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fast path: publishes events this coordinator has just committed to the log, right after the
 * commit, instead of waiting for the change to come back through the WAL. Only when every earlier
 * event of the release is known to be handed to Kafka already (so one release keeps its order);
 * otherwise the {@link WalPublisher} publishes the events when it reads them. It stays the
 * guarantee: it skips an event only once Kafka acknowledged its fast send.
 */
final class FastPathPublisher {
    private final FastPath fastPath;
    private final AcknowledgedSender sender;
    private volatile boolean enabled = true;

    FastPathPublisher(FastPath fastPath, AcknowledgedSender sender) {
        this.fastPath = fastPath;
        this.sender = sender;
    }

    /** On by default; off, every event waits for the WAL. */
    void enabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * Hands the events to the producer if the release's earlier events are out. {@code tracked}: this
     * relay is active, and its WAL publisher skips each event once Kafka acknowledged this send; untracked
     * (a standby's fast path), the active relay of another instance publishes the events again from the
     * WAL, and consumers drop the second copy by its id.
     *
     * @return true if the events were handed to the producer here
     */
    boolean publish(String releaseId, List<Envelope> appended, boolean tracked) {
        if (appended.isEmpty() || !enabled) {
            return false;
        }
        synchronized (fastPath.stripe(releaseId)) {
            if (!fastPath.claim(releaseId, appended.get(0).seq(), appended.get(appended.size() - 1).seq())) {
                return false;
            }
            // Commands first: a worker waits for them, and the producer's first request after a wake-up
            // carries what is in its buffer by then (each topic keeps its own order either way).
            List<Runnable> eventSends = new ArrayList<>(appended.size());
            for (Envelope e : appended) {
                if (e.data() instanceof ReleaseEvent.ReleaseCompleted || e.data() instanceof ReleaseEvent.ReleaseFailed
                        || e.data() instanceof ReleaseEvent.ReleaseCancelled) {
                    fastPath.forget(releaseId);
                }
                List<ProducerRecord<String, byte[]>> records;
                try {
                    records = RelayRecords.publish(e);
                } catch (RuntimeException cannotEncode) {
                    // the relay publishes this event and the release's next ones from the log (or dead-letters it)
                    fastPath.failed(releaseId);
                    break;
                }
                CompletableFuture<Void> acked = tracked ? fastPath.sending(e.id()) : new CompletableFuture<>();
                AtomicInteger pending = new AtomicInteger(records.size());
                Callback callback = (meta, error) -> {
                    if (error != null) {
                        fastPath.failed(releaseId);
                        acked.completeExceptionally(error);
                    } else if (pending.decrementAndGet() == 0) {
                        acked.complete(null);
                        BusMetrics.published(BusMetrics.FAST, e.time());
                    }
                };
                for (ProducerRecord<String, byte[]> r : records) {
                    if (r.topic().equals(Topics.EVENTS)) {
                        eventSends.add(() -> sender.send(r, callback));
                    } else {
                        sender.send(r, callback);
                    }
                }
            }
            eventSends.forEach(Runnable::run);
        }
        return true;
    }
}
