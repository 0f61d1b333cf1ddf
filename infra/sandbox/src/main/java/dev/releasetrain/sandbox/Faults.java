package dev.releasetrain.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Call counter and queue of injected faults shared by all stand-ins. Thread-safe.
 *
 * <p>A fault applies to the next {@code count} calls that match its filters (HTTP method, path prefix, path
 * substring, body substring; a filter left out matches everything): each such call is first delayed by
 * {@code delayMs}, then answered with {@code status} (0: no failure, the call is served normally after the
 * delay). Faults are tried in the order they were queued; a call consumes at most one.
 */
final class Faults {

    /** What a matching call must do: wait {@code delayMs}, then fail with {@code status} unless it is 0. */
    record Hit(int status, long delayMs) {
    }

    private static final class Pending {
        final FaultSpec spec;
        int left;

        Pending(FaultSpec spec) {
            this.spec = spec;
            this.left = spec.count();
        }
    }

    private final AtomicLong calls = new AtomicLong();
    private final List<Pending> pending = new ArrayList<>();

    /**
     * Counts one call; if a queued fault matches it, waits its delay and returns its status (empty when it
     * only delays, or when no fault matches). {@code rawPath} may carry the query; {@code body} is read only
     * when a queued fault filters on the body.
     */
    OptionalInt onCall(String method, String rawPath, Supplier<String> body) {
        Hit hit = match(method, rawPath, body);
        if (hit == null) {
            return OptionalInt.empty();
        }
        if (hit.delayMs() > 0) {
            try {
                Thread.sleep(hit.delayMs()); // the injected delay itself: the caller asked for a slow answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return hit.status() == 0 ? OptionalInt.empty() : OptionalInt.of(hit.status());
    }

    /** Counts one call and takes the first queued fault matching it, without waiting. */
    Hit match(String method, String rawPath, Supplier<String> body) {
        calls.incrementAndGet();
        String path = rawPath == null ? "" : rawPath;
        int q = path.indexOf('?');
        String pathOnly = q < 0 ? path : path.substring(0, q);
        String text = null;
        boolean bodyRead = false;
        synchronized (pending) {
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                FaultSpec s = p.spec;
                if (s.method() != null && !s.method().equalsIgnoreCase(method)) {
                    continue;
                }
                if (s.pathPrefix() != null && !(s.pathPrefix().endsWith("$")
                        ? path.equals(s.pathPrefix().substring(0, s.pathPrefix().length() - 1))
                        : pathOnly.startsWith(s.pathPrefix()))) {
                    continue;
                }
                if (s.pathContains() != null && !path.contains(s.pathContains()) && !decoded(path).contains(s.pathContains())) {
                    continue;
                }
                if (s.needsBody()) {
                    if (!bodyRead) {
                        text = body == null ? null : body.get();
                        bodyRead = true;
                    }
                    if (text == null || !(text.contains(s.bodyContains()) || decoded(text).contains(s.bodyContains()))) {
                        continue;
                    }
                }
                if (--p.left <= 0) {
                    it.remove();
                }
                return new Hit(s.status(), s.delayMs());
            }
        }
        return null;
    }

    /** True when a queued fault looks at request bodies (so the stand-in must buffer the body first). */
    boolean needsBody() {
        synchronized (pending) {
            return pending.stream().anyMatch(p -> p.spec.needsBody());
        }
    }

    void add(FaultSpec spec) {
        if (spec.count() == 0) {
            return;
        }
        synchronized (pending) {
            pending.add(new Pending(spec));
        }
    }

    void failNext(int count, int status) {
        add(FaultSpec.failNext(count, status));
    }

    void clear() {
        synchronized (pending) {
            pending.clear();
        }
    }

    /** Calls that queued faults will still hit (the sum of what is left of each). */
    int pending() {
        synchronized (pending) {
            return pending.stream().mapToInt(p -> p.left).sum();
        }
    }

    long calls() {
        return calls.get();
    }

    void resetCalls() {
        calls.set(0);
    }

    /** URL-decoded form of a path or form body ({@code %23releases} -> {@code #releases}); the input when it is not valid. */
    private static String decoded(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
