package dev.releasetrain.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

/** Call counter and queue of injected failures shared by all stand-ins. Thread-safe. */
final class Faults {

    private final AtomicLong calls = new AtomicLong();
    private final Deque<Integer> pending = new ArrayDeque<>();

    /** Counts one call and returns the status it must fail with, if a fault is queued. */
    OptionalInt onCall() {
        calls.incrementAndGet();
        synchronized (pending) {
            Integer status = pending.pollFirst();
            return status == null ? OptionalInt.empty() : OptionalInt.of(status);
        }
    }

    void failNext(int count, int status) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status: " + status);
        }
        synchronized (pending) {
            for (int i = 0; i < count; i++) {
                pending.addLast(status);
            }
        }
    }

    void clear() {
        synchronized (pending) {
            pending.clear();
        }
    }

    int pending() {
        synchronized (pending) {
            return pending.size();
        }
    }

    long calls() {
        return calls.get();
    }

    void resetCalls() {
        calls.set(0);
    }
}
