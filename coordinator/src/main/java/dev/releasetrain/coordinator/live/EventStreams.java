package dev.releasetrain.coordinator.live;

import dev.releasetrain.coordinator.log.AppendListener;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-Sent Event streams of releases. The log is the source of every event sent: a follower
 * reads the events after the last one it sent, so a stream never skips, repeats or reorders, however
 * the wake-ups arrive. Wake-ups come from this instance's own appends (a listener of the release log,
 * told after each commit), from {@code release.events} for appends of other instances
 * ({@link RemoteAppends}, which runs only while streams are open), and from a slow sweep as a safety net.
 */
@ApplicationScoped
@Priority(EventStreams.LISTENER_PRIORITY)
public class EventStreams implements AppendListener {
    private static final Logger LOG = Logger.getLogger(EventStreams.class);
    /** Told of appends after the relay's fast path: waking a stream only hands work to a sender thread. */
    static final int LISTENER_PRIORITY = 10;

    @Inject
    ReleaseLog log;
    @Inject
    RemoteAppends feed;

    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sse-sender");
        t.setDaemon(true);
        return t;
    });

    /**
     * Streams the release's events after {@code afterSeq}, then live ones, to {@code sink}. Called on the
     * request's thread: the response's head goes out here, with a comment line (clients skip it), before
     * the sender thread sends anything. Otherwise the sender could write the head with the first event
     * while RESTEasy wrote it on the request's thread too: over HTTP/1.1 the second write fails and the
     * stream stalls.
     */
    public void follow(String releaseId, long afterSeq, SseEventSink sink, Sse sse) {
        sink.send(sse.newEventBuilder().comment("events of release " + releaseId).build());
        Follower f = new Follower(releaseId, afterSeq, sink, sse);
        followers.compute(releaseId, (k, set) -> {
            Set<Follower> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(f);
            return s;
        });
        feed.wanted();
        f.wake();
    }

    @Override
    public void appended(String releaseId, List<Envelope> events) {
        appended(releaseId);
    }

    /** Something was appended to the release's stream. */
    public void appended(String releaseId) {
        Set<Follower> set = followers.get(releaseId);
        if (set != null) {
            set.forEach(Follower::wake);
        }
    }

    private int followerCount() {
        return followers.values().stream().mapToInt(Set::size).sum();
    }

    /** Forgets the streams whose client went away; returns how many are still open. */
    public int openStreams() {
        followers.values().forEach(set -> set.forEach(f -> {
            if (f.sink.isClosed()) {
                f.close();
            }
        }));
        return followerCount();
    }

    @Scheduled(every = "${release-train.live.sweep-every:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        if (openStreams() == 0) {
            return;
        }
        followers.values().forEach(set -> set.forEach(Follower::wake));
    }

    @PreDestroy
    void stop() {
        followers.values().forEach(set -> set.forEach(Follower::close));
        senders.shutdownNow();
    }

    private void forget(Follower f) {
        followers.computeIfPresent(f.releaseId, (k, set) -> {
            set.remove(f);
            return set.isEmpty() ? null : set;
        });
    }

    private final class Follower {
        final String releaseId;
        final SseEventSink sink;
        final Sse sse;
        volatile long lastSent;
        final AtomicBoolean draining = new AtomicBoolean();
        final AtomicBoolean dirty = new AtomicBoolean();
        volatile boolean closed;

        Follower(String releaseId, long afterSeq, SseEventSink sink, Sse sse) {
            this.releaseId = releaseId;
            this.lastSent = afterSeq;
            this.sink = sink;
            this.sse = sse;
        }

        void wake() {
            dirty.set(true);
            if (!closed && draining.compareAndSet(false, true)) {
                senders.execute(this::drain);
            }
        }

        private void drain() {
            try {
                while (dirty.getAndSet(false) && !closed) {
                    for (Envelope e : log.read(releaseId, lastSent)) {
                        send(e);
                        lastSent = e.seq();
                        if (e.data() instanceof ReleaseEvent.ReleaseCompleted || e.data() instanceof ReleaseEvent.ReleaseCancelled) {
                            close(); // the stream of a finished release ends; a reconnect replays it
                            return;
                        }
                    }
                }
            } catch (Exception ex) {
                LOG.debugf("release %s: event stream closed (%s)", releaseId, ex.getMessage());
                close();
            } finally {
                draining.set(false);
            }
            if (dirty.get() && !closed) {
                wake();
            }
        }

        private void send(Envelope e) throws Exception {
            if (sink.isClosed()) {
                throw new IllegalStateException("client went away");
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("seq", e.seq());
            data.put("id", e.id());
            data.put("type", EventTypes.shortName(e.type()));
            data.put("time", e.time().toString());
            data.put("source", e.source());
            data.put("data", e.data());
            String json = CloudEventCodec.json().writeValueAsString(data);
            sink.send(sse.newEventBuilder().id(Long.toString(e.seq())).name(EventTypes.shortName(e.type()))
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(json).build())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        void close() {
            closed = true;
            forget(this);
            try {
                sink.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }
}
