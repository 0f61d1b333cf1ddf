package dev.releasetrain.coordinator.bus;

import dev.releasetrain.coordinator.live.EventStreams;
import dev.releasetrain.coordinator.live.RemoteAppends;
import dev.releasetrain.protocol.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Reads {@code release.events} while live streams are open here, to wake the streams of releases
 * that another coordinator instance appended to (appends made by this instance wake its streams
 * directly, see {@link EventStreams#appended}). Nobody watching, no reader: an idle coordinator
 * does not fetch every event of every release (docs/architecture.md, live streams).
 *
 * <p>The reader assigns itself every partition and starts at their end (no consumer group, nothing
 * committed: it only wakes streams, which read what to send from the release log). It stops once no
 * stream has been open for {@code release-train.live-feed.linger-ms}. What it could miss while
 * starting is caught by the streams' periodic sweep.
 */
@ApplicationScoped
public class LiveFeed implements RemoteAppends {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);

    @Inject
    EventStreams streams;
    @Inject
    Config config;
    @ConfigProperty(name = "release-train.live-feed.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "release-train.live-feed.linger-ms", defaultValue = "30000")
    long lingerMs;

    private Thread thread;
    private volatile boolean shuttingDown;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean positioned;

    /** A stream was opened: make sure the reader runs. */
    @Override
    public synchronized void wanted() {
        if (!enabled || shuttingDown || thread != null) {
            return;
        }
        positioned = false;
        thread = new Thread(this::run, "release-train-live-feed");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the reader runs now. */
    public synchronized boolean running() {
        return thread != null;
    }

    /** Whether the running reader has its partitions and reads from their end. */
    public boolean positioned() {
        return positioned;
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = null;
        try {
            c = new KafkaConsumer<>(properties(), new StringDeserializer(), new ByteArrayDeserializer());
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position); // resolve the end now, not at the first poll
            positioned = true;
            long quietSince = -1;
            while (!shuttingDown) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofSeconds(1));
                Set<String> releases = new LinkedHashSet<>();
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.key() != null) {
                        releases.add(r.key());
                    }
                }
                releases.forEach(streams::appended);
                if (streams.openStreams() > 0) {
                    quietSince = -1;
                    continue;
                }
                long now = System.nanoTime();
                if (quietSince < 0) {
                    quietSince = now;
                } else if (Duration.ofNanos(now - quietSince).toMillis() >= lingerMs && stopIfNobodyWatches()) {
                    return;
                }
            }
        } catch (WakeupException stopping) {
            // shutdown
        } catch (RuntimeException e) {
            // streams still get their events from this instance's appends and from the sweep
            LOG.warnf("the live feed of %s stopped (%s); it starts again with the next stream", Topics.EVENTS, e.toString());
        } finally {
            positioned = false;
            consumer = null;
            if (c != null) {
                try {
                    c.close(Duration.ofSeconds(2));
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
            synchronized (this) {
                if (thread == Thread.currentThread()) {
                    thread = null;
                }
            }
        }
    }

    private synchronized boolean stopIfNobodyWatches() {
        if (streams.openStreams() > 0) {
            return false;
        }
        thread = null; // a stream opened from now on starts a new reader
        return true;
    }

    Properties properties() {
        Properties p = KafkaSettings.of(config);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "coordinator-live-feed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "1000");
        return p;
    }

    void stop(@Observes ShutdownEvent ev) {
        shuttingDown = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
