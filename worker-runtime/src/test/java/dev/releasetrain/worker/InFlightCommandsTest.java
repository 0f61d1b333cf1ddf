package dev.releasetrain.worker;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A revoked partition is let go once its commands running here have ended, and not before (up to the wait). */
class InFlightCommandsTest {
    private static final TopicPartition P0 = new TopicPartition("release.commands.git", 0);
    private static final TopicPartition P1 = new TopicPartition("release.commands.git", 1);

    @Test
    void aRevocationWaitsForTheCommandsOfItsPartitionsOnly() {
        InFlightCommands inFlight = new InFlightCommands(Duration.ofMinutes(5));
        inFlight.began(P0);
        inFlight.began(P0);
        inFlight.began(P1);

        CompletableFuture<Void> revoked = CompletableFuture.runAsync(() -> inFlight.onPartitionsRevoked(null, List.of(P0)));
        inFlight.ended(P1);
        inFlight.ended(P0);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !revoked.isDone());

        inFlight.ended(P0);
        await().atMost(Duration.ofSeconds(10)).until(revoked::isDone);
        assertTrue(inFlight.awaitEnded(List.of(P0, P1)), "nothing runs any more");
    }

    @Test
    void aCommandLongerThanTheWaitLetsThePartitionGo() {
        InFlightCommands inFlight = new InFlightCommands(Duration.ofMillis(50));
        inFlight.began(P0);
        assertFalse(inFlight.awaitEnded(List.of(P0)), "still running when the wait was over");
        assertTrue(inFlight.awaitEnded(List.of(P1)), "another partition has nothing running");
    }
}
