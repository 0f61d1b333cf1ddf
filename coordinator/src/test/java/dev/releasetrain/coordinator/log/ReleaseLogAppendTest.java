package dev.releasetrain.coordinator.log;

import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Appends are all or nothing, whether a batch goes in as one statement or, bigger than
 * {@link ReleaseLog#ROWS_PER_STATEMENT} rows, as several in one transaction.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ReleaseLogAppendTest {
    @Inject
    ReleaseLog log;

    static String release() {
        return "9." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000) + "." + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 100_000);
    }

    static List<Envelope> events(long afterSeq, int n) {
        List<Envelope> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(ReleaseLog.stored(new Envelope(UUID.randomUUID().toString(), "/test", "x", Instant.now(), null,
                    new ReleaseEvent.StepProgress("s", 1, "c", "event " + i, Map.of())), afterSeq + i));
        }
        return out;
    }

    @Test
    void aBatchWithAStreamThatMovedAppendsNothingOfAnyStream() {
        String a = release();
        String b = release();
        log.appendAll(List.of(new ReleaseLog.Append(b, 0, events(0, 2)))); // b is at seq 2

        // a is fine, b's writer thinks b is at seq 1: the whole batch fails
        assertThrows(StreamConflict.class, () -> log.appendAll(List.of(
                new ReleaseLog.Append(a, 0, events(0, 3)), new ReleaseLog.Append(b, 1, events(1, 2)))));

        assertEquals(0, log.read(a).size(), "nothing of the other stream went in");
        assertEquals(2, log.read(b).size());
    }

    @Test
    void aBatchHoldingAnEventAlreadyRecordedAppendsNothing() {
        String a = release();
        List<Envelope> first = events(0, 1);
        log.appendAll(List.of(new ReleaseLog.Append(a, 0, first)));
        String c = release();
        Envelope again = ReleaseLog.stored(new Envelope(first.get(0).id(), "/test", c, Instant.now(), null,
                new ReleaseEvent.StepProgress("s", 1, "c", "redelivered", Map.of())), 2);

        List<Envelope> before = events(0, 1);
        assertThrows(DuplicateEvent.class, () -> log.appendAll(List.of(
                new ReleaseLog.Append(c, 0, List.of(before.get(0), again)))));

        assertEquals(0, log.read(c).size());
        assertEquals(1, log.read(a).size());
    }

    @Test
    void aBatchBiggerThanOneStatementGoesInWholeOrNotAtAll() {
        String a = release();
        String b = release();
        int big = ReleaseLog.ROWS_PER_STATEMENT + 7;
        log.appendAll(List.of(new ReleaseLog.Append(a, 0, events(0, big)), new ReleaseLog.Append(b, 0, events(0, 3))));
        List<Envelope> read = log.read(a);
        assertEquals(big, read.size());
        assertEquals(big, read.get(big - 1).seq());
        assertEquals(3, log.read(b).size());

        // the conflicting stream comes after the first statement's rows: those are rolled back too
        String c = release();
        StreamConflict e = assertThrows(StreamConflict.class, () -> log.appendAll(List.of(
                new ReleaseLog.Append(c, 0, events(0, big)), new ReleaseLog.Append(b, 2, events(2, 2)))));
        assertTrue(e.getMessage().contains("the stream moved"), e.getMessage());
        assertEquals(0, log.read(c).size(), "the first statement's rows were rolled back");
        assertEquals(3, log.read(b).size());
    }
}
