package dev.releasetrain.coordinator.relay;

import dev.releasetrain.coordinator.metrics.BusMetrics;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.source.SourceRecord;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Publishes the inserts the Debezium engine reads from the WAL: the guarantee behind the fast path.
 * The change records carry each row's key only; an event the fast path did not deliver is read from
 * the table and published here, one the fast path sent is only waited for.
 */
final class WalPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    /** Logged under the relay's category: the relay's parts are one component to an operator. */
    private static final Logger LOG = Logger.getLogger(Relay.class);

    private final FastPath fastPath;
    private final LogRows logRows;
    private final AcknowledgedSender sender;
    private final ClosingSignal closing;
    private final String slotName;

    WalPublisher(FastPath fastPath, LogRows logRows, AcknowledgedSender sender, ClosingSignal closing, String slotName) {
        this.fastPath = fastPath;
        this.logRows = logRows;
        this.sender = sender;
        this.closing = closing;
        this.slotName = slotName;
    }

    /**
     * Publishes one batch and waits until Kafka acknowledged all of it before marking it processed:
     * only then may its position be stored. Events the fast path already handed to Kafka are not
     * sent again once Kafka acknowledged them; one whose fast send failed is sent here. A failed
     * send is retried (the whole batch, in order) until it goes through or the relay closes.
     */
    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> changes,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(changes.size() * 2);
        List<Future<RecordMetadata>> sends = new ArrayList<>(changes.size() * 2);
        List<ReleaseLogRow.Key> keys = new ArrayList<>(changes.size());
        List<ReleaseLogRow> published = new ArrayList<>(); // the events this relay sent itself, for the metrics
        for (RecordChangeEvent<SourceRecord> change : changes) {
            keys.add(RelayRecords.insertedKey(change.record()));
        }
        Map<Long, ReleaseLogRow> rows = null; // read from the table at the first event this relay publishes itself
        for (ReleaseLogRow.Key key : keys) {
            if (key == null) {
                continue; // a heartbeat, an update or a delete: nothing to publish
            }
            if (!key.complete()) {
                List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, null);
                records.addAll(own);
                sends.addAll(sender.sendAll(own));
                continue;
            }
            CompletableFuture<Void> fast;
            synchronized (fastPath.stripe(key.releaseId())) {
                fast = fastPath.handOver(key.releaseId(), key.seq(), key.eventId());
                if (fast == null) {
                    // sent under the release's lock: a fast send of the next event cannot overtake it
                    if (rows == null) {
                        rows = readRows(keys);
                    }
                    List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, rows.get(key.position()));
                    records.addAll(own);
                    sends.addAll(sender.sendAll(own));
                    published.add(rows.get(key.position()));
                    continue;
                }
            }
            // the fast path sent it: nothing to read or send unless that send failed
            if (!sender.acknowledged(fast)) {
                LOG.debugf("relay: the fast send of %s failed; publishing it from the log", key);
                if (rows == null) {
                    rows = readRows(keys);
                }
                List<ProducerRecord<String, byte[]>> own = RelayRecords.of(key, rows.get(key.position()));
                synchronized (fastPath.stripe(key.releaseId())) {
                    fastPath.sentByRelay(key.releaseId(), key.seq());
                    sends.addAll(sender.sendAll(own));
                }
                records.addAll(own);
                published.add(rows.get(key.position()));
            }
        }
        sender.untilAcknowledged(records, sends);
        for (ReleaseLogRow row : published) {
            BusMetrics.published(BusMetrics.CDC, row == null ? null : row.occurredAt());
        }
        for (RecordChangeEvent<SourceRecord> change : changes) {
            committer.markProcessed(change);
        }
        committer.markBatchFinished();
    }

    /** The rows of a batch's inserts, read from the table; while the database cannot be read, tried again every second. */
    private Map<Long, ReleaseLogRow> readRows(List<ReleaseLogRow.Key> keys) throws InterruptedException {
        List<Long> positions = new ArrayList<>(keys.size());
        for (ReleaseLogRow.Key key : keys) {
            if (key != null && key.position() != null) {
                positions.add(key.position());
            }
        }
        while (true) {
            try {
                return logRows.read(positions);
            } catch (SQLException e) {
                LOG.warnf("relay on slot %s: cannot read %d rows of the release log (%s); trying again in %d ms",
                        slotName, positions.size(), e.getMessage(), Relay.RETRY_MS);
                if (closing.await(Relay.RETRY_MS)) {
                    throw new InterruptedException("relay closing; the batch will be published again on restart");
                }
            }
        }
    }
}
