package dev.releasetrain.coordinator.bus;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Whether the results consumer has read what was waiting when it started: the end offsets of the
 * partitions it was first given, taken at that moment, against its positions after each poll it
 * recorded. Bounded: past {@code maxWait} it counts as caught up anyway (a broker that does not
 * answer must not hold every timer for good). The consumer's thread feeds it; anyone may ask.
 */
final class CatchUp {
    private static final Logger LOG = Logger.getLogger(ResultsConsumer.class);

    private final long deadline;
    private final Duration maxWait;
    /** Consumer thread only: the end offsets seen at the first assignment. */
    private Map<TopicPartition, Long> targets;
    private volatile boolean done;

    CatchUp(Duration maxWait) {
        this.maxWait = maxWait;
        this.deadline = System.nanoTime() + maxWait.toNanos();
    }

    /** The consumer was given partitions (on its thread, in poll): the first time, their end offsets are the target. */
    void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (targets == null && !done) {
            targets = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            LOG.debugf("results waiting at start: up to %s", targets);
        }
    }

    /** After a poll was recorded (on the consumer's thread): caught up once every target partition it holds is read. */
    void recorded(Consumer<?, ?> consumer) {
        if (done || targets == null) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> t : targets.entrySet()) {
            if (consumer.assignment().contains(t.getKey()) && consumer.position(t.getKey(), Duration.ofSeconds(30)) < t.getValue()) {
                return;
            }
        }
        done = true;
        LOG.infof("the results waiting at start are recorded; timers fire from now on");
    }

    boolean caughtUp() {
        if (!done && System.nanoTime() - deadline > 0) {
            done = true;
            LOG.warnf("the results waiting at start were not all read within %s; timers fire anyway", maxWait);
        }
        return done;
    }
}
