package dev.releasetrain.coordinator.relay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The relay's close, seen by all its parts: the lock loop, the engine's batches and the sends waiting
 * for Kafka all stop waiting at once when the relay closes.
 */
final class ClosingSignal {
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    boolean isClosing() {
        return closing.getCount() == 0;
    }

    /** Completes when the relay closes (to wait for it together with something else). */
    CompletableFuture<Void> closed() {
        return closed;
    }

    void close() {
        closing.countDown();
        closed.complete(null);
    }

    /** Waits up to {@code millis}; true if the relay closed meanwhile. */
    boolean await(long millis) throws InterruptedException {
        return closing.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits up to {@code millis} or until the relay closes; an interrupt closes the relay. */
    void pause(long millis) {
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
    }
}
