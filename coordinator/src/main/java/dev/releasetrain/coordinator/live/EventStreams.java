package dev.releasetrain.coordinator.live;

import dev.releasetrain.coordinator.log.AppendListener;
import dev.releasetrain.coordinator.log.ReleaseLog;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.EventTypes;
import dev.releasetrain.protocol.ReleaseEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
    /** Told of appends after the relay's fast path: waking a stream only hands work to a reader thread. */
    static final int LISTENER_PRIORITY = 10;
    static final int SEND_TIMEOUT_SECONDS = 30;

    @Inject
    ReleaseLog log;
    @Inject
    RemoteAppends feed;
    @Inject
    MeterRegistry registry;

    /** Open streams a caller (a token's holder) may have at once; one more is refused with 429. */
    @ConfigProperty(name = "release-train.live.max-streams-per-caller", defaultValue = "20")
    int maxPerCaller;
    /** Open streams of all callers together. */
    @ConfigProperty(name = "release-train.live.max-streams", defaultValue = "500")
    int maxStreams;
    /** Threads that read the log for streams; sends do not hold them (they complete on the I/O thread). */
    @ConfigProperty(name = "release-train.live.reader-threads", defaultValue = "4")
    int readerThreads;

    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final Map<String, Integer> perCaller = new ConcurrentHashMap<>();
    private ExecutorService readers;

    @PostConstruct
    void init() {
        // Fixed threads; the queue holds at most one task per open stream (a stream is queued only while
        // it is not draining), and open streams are capped.
        readers = new ThreadPoolExecutor(readerThreads, readerThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sse-reader");
            t.setDaemon(true);
            return t;
        });
        Gauge.builder("release_train_sse_streams_open", this, EventStreams::openStreams)
                .description("Live event streams (GET /releases/{version}/events) open on this coordinator").register(registry);
    }

    /** A stream refused: the caller, or everyone, has as many streams open as allowed. */
    public static final class TooManyStreams extends RuntimeException {
        public final String setting;
        public final int limit;

        TooManyStreams(String message, String setting, int limit) {
            super(message);
            this.setting = setting;
            this.limit = limit;
        }
    }

    /**
     * Streams the release's events after {@code afterSeq}, then live ones, to {@code sink}. Called on the
     * request's thread: the response's head goes out here, with a comment line (clients skip it), before
     * a reader thread sends anything. Otherwise it could write the head with the first event while
     * RESTEasy wrote it on the request's thread too: over HTTP/1.1 the second write fails and the stream
     * stalls. Refused with {@link TooManyStreams}, before anything is sent, when {@code caller} or everyone
     * together has as many streams open as allowed.
     */
    public void follow(String releaseId, long afterSeq, String caller, SseEventSink sink, Sse sse) {
        admit(caller);
        Follower f = new Follower(releaseId, afterSeq, caller, sink, sse);
        try {
            sink.send(sse.newEventBuilder().comment("events of release " + releaseId).build());
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
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

    /**
     * Takes a slot for one more stream of {@code caller}, or refuses with {@link TooManyStreams}. Streams whose
     * client went away are let go first, so a client that reconnects is not refused for its old connections.
     */
    private void admit(String caller) {
        if (perCaller.getOrDefault(caller, 0) >= maxPerCaller || followerCount() >= maxStreams) {
            openStreams();
        }
        if (followerCount() >= maxStreams) {
            throw new TooManyStreams(maxStreams + " event streams are open, the most this coordinator serves at once"
                    + " (release-train.live.max-streams): try again later", "release-train.live.max-streams", maxStreams);
        }
        boolean[] admitted = {false};
        perCaller.compute(caller, (k, n) -> {
            int open = n == null ? 0 : n;
            if (open >= maxPerCaller) {
                return n;
            }
            admitted[0] = true;
            return open + 1;
        });
        if (!admitted[0]) {
            throw new TooManyStreams(caller + " has " + maxPerCaller + " event streams open, the most one caller may have"
                    + " (release-train.live.max-streams-per-caller): close one first", "release-train.live.max-streams-per-caller", maxPerCaller);
        }
    }

    private void release(String caller) {
        perCaller.computeIfPresent(caller, (k, n) -> n <= 1 ? null : n - 1);
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
        readers.shutdownNow();
    }

    private void forget(Follower f) {
        followers.computeIfPresent(f.releaseId, (k, set) -> {
            set.remove(f);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * One open stream. A wake-up queues one drain on the reader threads (never two at once): it reads the
     * events after the last one sent, then sends them one after the other, each send chained on the completion
     * of the one before, so a slow client holds no thread. A send not done in {@link #SEND_TIMEOUT_SECONDS}
     * closes the stream (the client reconnects with Last-Event-ID).
     */
    private final class Follower {
        final String releaseId;
        final String caller;
        final SseEventSink sink;
        final Sse sse;
        volatile long lastSent;
        final AtomicBoolean draining = new AtomicBoolean();
        final AtomicBoolean dirty = new AtomicBoolean();
        final AtomicBoolean closed = new AtomicBoolean();

        Follower(String releaseId, long afterSeq, String caller, SseEventSink sink, Sse sse) {
            this.releaseId = releaseId;
            this.lastSent = afterSeq;
            this.caller = caller;
            this.sink = sink;
            this.sse = sse;
        }

        void wake() {
            dirty.set(true);
            if (!closed.get() && draining.compareAndSet(false, true)) {
                try {
                    readers.execute(this::drain);
                } catch (RejectedExecutionException shuttingDown) {
                    draining.set(false);
                }
            }
        }

        /** On a reader thread: reads what is new, hands it to {@link #sendFrom}. */
        private void drain() {
            List<Envelope> events;
            try {
                if (!dirty.getAndSet(false) || closed.get()) {
                    done();
                    return;
                }
                events = log.read(releaseId, lastSent);
            } catch (RuntimeException ex) {
                LOG.debugf("release %s: event stream closed (%s)", releaseId, ex.getMessage());
                close();
                done();
                return;
            }
            sendFrom(events, 0);
        }

        /**
         * Sends {@code events} from index {@code i} on, one at a time: a send done at once is followed by the
         * next in this loop, one still under way continues in its completion.
         */
        private void sendFrom(List<Envelope> events, int i) {
            for (int next = i; ; next++) {
                if (next >= events.size() || closed.get()) {
                    done();
                    return;
                }
                Envelope e = events.get(next);
                CompletableFuture<?> sent;
                try {
                    if (sink.isClosed()) {
                        throw new IllegalStateException("client went away");
                    }
                    sent = sink.send(event(e)).toCompletableFuture();
                } catch (Exception ex) {
                    stop(ex);
                    return;
                }
                if (!sent.isDone()) {
                    int after = next + 1;
                    sent.orTimeout(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((ok, failure) -> {
                        if (failure != null) {
                            stop(failure);
                        } else if (sentOk(e)) {
                            sendFrom(events, after);
                        }
                    });
                    return;
                }
                if (sent.isCompletedExceptionally()) {
                    stop(sent.handle((ok, failure) -> failure).join());
                    return;
                }
                if (!sentOk(e)) {
                    return;
                }
            }
        }

        /** Notes {@code e} as sent; false when it ended the stream (a finished release's stream ends). */
        private boolean sentOk(Envelope e) {
            lastSent = e.seq();
            if (e.data() instanceof ReleaseEvent.ReleaseCompleted || e.data() instanceof ReleaseEvent.ReleaseCancelled) {
                close(); // a reconnect replays it
                done();
                return false;
            }
            return true;
        }

        private void stop(Throwable why) {
            LOG.debugf("release %s: event stream closed (%s)", releaseId, String.valueOf(why));
            close();
            done();
        }

        /** The drain is over: another starts if a wake-up came meanwhile. */
        private void done() {
            draining.set(false);
            if (dirty.get() && !closed.get()) {
                wake();
            }
        }

        private OutboundSseEvent event(Envelope e) throws Exception {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("seq", e.seq());
            data.put("id", e.id());
            data.put("type", EventTypes.shortName(e.type()));
            data.put("time", e.time().toString());
            data.put("source", e.source());
            data.put("data", e.data());
            String json = CloudEventCodec.json().writeValueAsString(data);
            return sse.newEventBuilder().id(Long.toString(e.seq())).name(EventTypes.shortName(e.type()))
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(json).build();
        }

        void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            forget(this);
            release(caller);
            try {
                sink.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }
}
