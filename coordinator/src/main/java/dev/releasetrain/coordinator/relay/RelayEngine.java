package dev.releasetrain.coordinator.relay;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One run of the Debezium embedded engine, for one term of the lock: started once, stopped once. */
final class RelayEngine {
    /** Logged under the relay's category: the relay's parts are one component to an operator. */
    private static final Logger LOG = Logger.getLogger(Relay.class);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final ClosingSignal closing;
    private final String slotName;

    /**
     * @param started run once the engine's task started (the relay publishes from then on)
     * @param batches where the engine's batches of change records go
     */
    RelayEngine(Properties properties, Runnable started,
                DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> batches,
                ClosingSignal closing, String slotName) {
        this.closing = closing;
        this.slotName = slotName;
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(properties)
                .using((success, message, error) -> {
                    if (success) {
                        stopped.complete(null);
                    } else {
                        stopped.completeExceptionally(error != null ? error : new IllegalStateException(message));
                    }
                })
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.run();
                    }
                })
                .notifying(batches)
                .build();
    }

    /** Runs the engine on a thread of {@code executor}; the future completes when it stops. */
    CompletableFuture<Void> start(Executor executor) {
        executor.execute(engine);
        return stopped;
    }

    /** Stops the engine (positions of acknowledged batches are stored) and waits for it, up to a minute. */
    void stop() {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (!stopped.isDone()) {
            try {
                engine.close();
                break;
            } catch (IllegalStateException e) {
                // The engine refuses to stop while its task is starting (it would leak connections):
                // ask again until it accepts. Other refusals mean it is already stopping or stopped.
                if (!String.valueOf(e.getMessage()).contains("starting") || System.nanoTime() > deadline) {
                    break;
                }
                waitQuietly(stopped, 100);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("relay on slot %s: error stopping the engine: %s", slotName, e);
                break;
            }
        }
        try {
            stopped.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (!closing.isClosing()) {
                LOG.warnf("relay on slot %s: the engine stopped: %s", slotName, e.getCause());
            }
        } catch (TimeoutException e) {
            LOG.errorf("relay on slot %s: the engine did not stop within %s; releasing the lock anyway",
                    slotName, STOP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitQuietly(CompletableFuture<?> future, long millis) {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // only pausing
        }
    }
}
