package dev.releasetrain.worker;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The commands this instance is running, by partition, so that a partition leaving it in a rebalance does not
 * reach another instance while one of its commands still runs here. The command consumer's rebalance listener:
 * when partitions are revoked (another instance joined, or this one is stopping), it waits until the commands
 * of those partitions running here have ended, for at most {@code release-train.worker.revoke-wait}. The
 * rebalance completes only then, so the new owner, which receives what was not acknowledged, runs it after this
 * instance finished, not beside it: a step's check before acting then finds the effect and reports it, and the
 * coordinator counts the first result of a command only.
 *
 * <p>What this cannot cover: a step longer than the wait, and a partition lost without a revocation (this
 * instance stopped polling past its session or poll interval, and the group moved on without it). Then two
 * runs may overlap, and each step's idempotency (its check before acting, or the system's own idempotency key)
 * is what keeps one effect (docs/scaling.md).
 */
@ApplicationScoped
@Identifier(InFlightCommands.NAME)
public class InFlightCommands implements KafkaConsumerRebalanceListener {
    /** The listener's name in {@code mp.messaging.incoming.commands.consumer-rebalance-listener.name}. */
    public static final String NAME = "release-train-commands";
    private static final Logger LOG = Logger.getLogger(InFlightCommands.class);

    private final Map<TopicPartition, Integer> running = new HashMap<>();
    private final Duration wait;

    @Inject
    public InFlightCommands(@ConfigProperty(name = "release-train.worker.revoke-wait", defaultValue = "PT30S") Duration wait) {
        this.wait = wait;
    }

    /** A command of {@code partition} begins here. */
    public synchronized void began(TopicPartition partition) {
        running.merge(partition, 1, Integer::sum);
    }

    /** A command of {@code partition} ended here (its result published, or given up). */
    public synchronized void ended(TopicPartition partition) {
        running.computeIfPresent(partition, (p, n) -> n == 1 ? null : n - 1);
        notifyAll();
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        awaitEnded(partitions);
    }

    /** Waits until no command of {@code partitions} runs here, or the wait is over; true if none runs. */
    synchronized boolean awaitEnded(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (partitions.stream().anyMatch(running::containsKey)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warnf("partitions %s leave this instance while commands of them still run here (waited %s s):"
                        + " their new owner may run them alongside", partitions, wait.toSeconds());
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
