package dev.releasetrain.coordinator.relay;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the relay and its fast path share, so that each event reaches Kafka once in the normal case
 * and one release's events keep their order: per release, the highest seq handed to the producer in
 * order (by either path), and the fast sends Kafka has not been seen to acknowledge by the relay yet.
 *
 * <p>Sends for one release are made under {@link #stripe}: the producer keeps their call order per
 * partition, and the key (the release id) picks the partition.
 */
final class FastPath {
    private static final int STRIPES = 64;
    private final Object[] stripes = new Object[STRIPES];
    /** Release id → the highest seq handed to the producer with every earlier seq before it. */
    private final Map<String, Long> handedOver = new ConcurrentHashMap<>();
    /** Event id → the fast send of that event, until the relay reads the event from the WAL. */
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    FastPath() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    Object stripe(String releaseId) {
        return stripes[(releaseId.hashCode() & 0x7fffffff) % STRIPES];
    }

    /**
     * The fast path may send seqs {@code first..last} of a release only if every earlier one has
     * been handed over (a new release starts at seq 1). Caller holds the release's stripe.
     */
    boolean claim(String releaseId, long first, long last) {
        boolean[] claimed = {false};
        handedOver.compute(releaseId, (id, known) -> {
            long upTo = known != null ? known : (first == 1 ? 0 : -1);
            if (upTo == first - 1) {
                claimed[0] = true;
                return last;
            }
            return known;
        });
        return claimed[0];
    }

    /** Registers the fast send of one event; the relay waits for it instead of sending the event again. */
    CompletableFuture<Void> sending(String eventId) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        inFlight.put(eventId, acked);
        return acked;
    }

    /** A fast send failed: the release's later events go through the relay until it caught up. */
    void failed(String releaseId) {
        handedOver.remove(releaseId);
    }

    /** The release ended: forget it (a late event goes through the relay). */
    void forget(String releaseId) {
        handedOver.remove(releaseId);
    }

    /**
     * The relay read one event from the WAL. Returns the fast send of it, if there was one (the relay
     * sends the event only if that send failed); otherwise the relay sends it and it counts as handed
     * over. Caller holds the release's stripe.
     */
    CompletableFuture<Void> handOver(String releaseId, long seq, String eventId) {
        CompletableFuture<Void> fast = inFlight.remove(eventId);
        if (fast == null) {
            handedOver.merge(releaseId, seq, Math::max);
        }
        return fast;
    }

    /** The relay sent an event itself (its fast send failed): the fast path may follow on from it. */
    void sentByRelay(String releaseId, long seq) {
        handedOver.merge(releaseId, seq, Math::max);
    }

    /** The relay stepped down or restarts: it reads again from its stored position. */
    void reset() {
        handedOver.clear();
        inFlight.clear();
    }

    int inFlight() {
        return inFlight.size();
    }
}
