package dev.releasetrain.coordinator.relay;

import org.awaitility.Awaitility;
import dev.releasetrain.local.EmbeddedKafka;
import dev.releasetrain.local.LocalPostgres;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;
import dev.releasetrain.protocol.ReleaseEvent;
import dev.releasetrain.protocol.ReleaseEvent.ReleaseStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepRequested;
import dev.releasetrain.protocol.ReleaseEvent.StepStarted;
import dev.releasetrain.protocol.ReleaseEvent.StepSucceeded;
import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay against a real PostgreSQL and a real Kafka broker, both in-process. */
class RelayTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static EmbeddedKafka kafka;
    private static LocalPostgres postgres;

    @BeforeAll
    static void startInfra() {
        postgres = LocalPostgres.start();
        kafka = EmbeddedKafka.start();
        kafka.createTopics(Topics.all(), 3);
    }

    @AfterAll
    static void stopInfra() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @Test
    void everyAppendedEventIsPublishedOnceInStreamOrderAndCommandsReachTheirService() throws Exception {
        String slot = "relay_publish";
        String a = release("a"), b = release("b"), bad = release("bad"), sentinel = release("sentinel");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.all().toArray(String[]::new))) {
            Map<String, List<Envelope>> appended = new LinkedHashMap<>();
            // Appended before the relay ever ran (before its slot exists): must not be missed.
            appendTo(appended, log, a, started(a), requested("git.resolve-head", "git"));

            try (Relay relay = Relay.start(log.relayConfig(kafka.bootstrapServers(), slot))) {
                await(relay::isActive, "the relay to become active");
                appendTo(appended, log, b, started(b), requested("deploy.list-pods", "deploy"));
                appendTo(appended, log, a, new StepStarted("git.resolve-head", 1, "cmd-git", "git-1"),
                        new StepSucceeded("git.resolve-head", 1, "cmd-git", Map.of("branch", "master", "commit", "abc123")),
                        requested("cdn.read-distribution", "cdn"));
                appendTo(appended, log, b, new StepStarted("deploy.list-pods", 1, "cmd-deploy", "deploy-1"));
                log.insert(bad, 1, UUID.randomUUID().toString(), "dev.releasetrain.NoSuchEvent.v1", "{\"x\": 1}", Instant.now());

                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, a)).containsAll(ids(appended.get(a)))
                                && ids(bus.records(Topics.EVENTS, b)).containsAll(ids(appended.get(b)))
                                && !bus.records(Topics.DEAD_LETTER, bad).isEmpty(),
                        WAIT, "every appended event on " + Topics.EVENTS);
                // Anything published twice would be on the topics before the sentinel's batch.
                Envelope last = log.append(sentinel, 1, started(sentinel));
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, sentinel)).contains(last.id()), WAIT, "the sentinel");
                bus.readToEnd(WAIT);
            }

            for (String release : List.of(a, b)) {
                List<ConsumerRecord<String, byte[]>> published = bus.records(Topics.EVENTS, release);
                assertEquals(ids(appended.get(release)), ids(published), "events of " + release + " once each, in seq order");
                for (int i = 0; i < published.size(); i++) {
                    assertEquals(appended.get(release).get(i), decode(published.get(i)));
                }
            }
            assertCommand(bus, Topics.commands("git"), appended.get(a).get(1));
            assertCommand(bus, Topics.commands("cdn"), appended.get(a).get(4));
            assertCommand(bus, Topics.commands("deploy"), appended.get(b).get(1));
            assertTrue(bus.records(Topics.commands("git"), b).isEmpty());

            List<ConsumerRecord<String, byte[]>> dead = bus.records(Topics.DEAD_LETTER, bad);
            assertEquals(1, dead.size());
            String reason = BusReader.header(dead.get(0), Topics.DEAD_LETTER_REASON);
            assertNotNull(reason);
            assertTrue(reason.contains("unknown event type"), reason);
            assertTrue(bus.records(Topics.EVENTS, bad).isEmpty());
            log.dropSlot(slot);
        }
    }

    @Test
    void theWalCarriesOnlyEachRowsKeyAndTheRelayReadsTheRowsItPublishes() throws Exception {
        String slot = "relay_key_only";
        String a = release("a"), gone = release("gone");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS, Topics.DEAD_LETTER)) {
            // as Debezium made it before the relay made its own: the whole row, every operation
            log.execute("create publication " + slot + " for table release_events");
            try (Relay relay = Relay.start(log.relayConfig(kafka.bootstrapServers(), slot))) {
                await(relay::isActive, "the relay to become active");
                assertEquals("event_id,position,release_id,seq", log.text("select array_to_string(array("
                        + "select unnest(attnames) order by 1), ',') from pg_publication_tables where pubname = '" + slot
                        + "' and tablename = 'release_events'"));
                assertEquals("release_events,release_relay_heartbeat", log.text("select string_agg(tablename, ',' order by tablename)"
                        + " from pg_publication_tables where pubname = '" + slot + "'"));
                assertEquals(1, log.count("select count(*) from pg_publication where pubname = '" + slot
                        + "' and pubinsert and pubupdate and not pubdelete and not pubtruncate"));

                Envelope first = log.append(a, 1, started(a));
                // inserted and deleted in one transaction: the change arrives, the row is not there to publish
                log.insertAndDelete(gone, 1, started(gone));
                Envelope second = log.append(a, 2, requested("git.resolve-head", "git"));
                // a row with its trace context: the record carries it as ce_traceparent (rows without one, without)
                Envelope third = log.append(a, 3, requested("deploy.list-pods", "deploy"),
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                bus.pollUntil(() -> bus.records(Topics.EVENTS, a).size() >= 3 && !bus.records(Topics.DEAD_LETTER, gone).isEmpty(),
                        WAIT, "the events of " + a + " and the dead letter of " + gone);
                // read back from the table by position: the whole event, as appended
                assertEquals(List.of(first, second, third), bus.records(Topics.EVENTS, a).stream().map(RelayTest::decode).toList());
                assertEquals(third.traceParent(), BusReader.header(bus.records(Topics.EVENTS, a).get(2), CloudEventCodec.H_TRACEPARENT));
                assertEquals(null, BusReader.header(bus.records(Topics.EVENTS, a).get(1), CloudEventCodec.H_TRACEPARENT));
                String reason = BusReader.header(bus.records(Topics.DEAD_LETTER, gone).get(0), Topics.DEAD_LETTER_REASON);
                assertTrue(reason.contains("is not in release_events"), reason);
                assertTrue(bus.records(Topics.EVENTS, gone).isEmpty());
            }
            log.dropSlot(slot);
        }
    }

    @Test
    void whileTheLogIsQuietTheHeartbeatLetsTheSlotConfirmTheWalOfOtherTables() throws Exception {
        String slot = "relay_heartbeat";
        String a = release("a");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS, Topics.DEAD_LETTER)) {
            try (Relay relay = Relay.start(log.relayConfig(kafka.bootstrapServers(), slot).withHeartbeatIntervalMs(300))) {
                await(relay::isActive, "the relay to become active");
                Envelope only = log.append(a, 1, started(a));
                bus.pollUntil(() -> !bus.records(Topics.EVENTS, a).isEmpty(), WAIT, "the event of " + a);
                // WAL written by another table only: PostgreSQL 15+ sends the slot nothing of it
                log.execute("create table unrelated (n int)");
                log.execute("insert into unrelated select generate_series(1, 1000)");
                String written = log.text("select pg_current_wal_lsn()::text");
                await(() -> {
                    try {
                        return log.count("select count(*) from pg_replication_slots where slot_name = '" + slot
                                + "' and confirmed_flush_lsn >= '" + written + "'::pg_lsn") == 1;
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "the slot to confirm the WAL written after the last append");
                bus.readToEnd(WAIT);
                // the heartbeats publish nothing
                assertEquals(List.of(only), bus.records(Topics.EVENTS, a).stream().map(RelayTest::decode).toList());
                // (other tests' dead letters carry their release; one made of a heartbeat would have none)
                assertTrue(bus.records(Topics.DEAD_LETTER).stream().allMatch(r -> r.key() != null), "a heartbeat dead-lettered");
            }
            log.dropSlot(slot);
        }
    }

    @Test
    void aRestartedRelayLosesNothingAndKeepsEachReleaseInOrder() throws Exception {
        String slot = "relay_restart";
        List<String> releases = List.of(release("r1"), release("r2"), release("r3"), release("r4"));
        int perRelease = 40;
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS)) {
            Map<String, List<Envelope>> appended = new LinkedHashMap<>();
            releases.forEach(r -> appended.put(r, new ArrayList<>()));
            CountDownLatch halfway = new CountDownLatch(1);
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot);

            Relay first = Relay.start(config);
            await(first::isActive, "the first relay to become active");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int seq = 1; seq <= perRelease; seq++) {
                        for (String r : releases) {
                            ReleaseEvent e = seq == 1 ? started(r) : requested("step-" + seq, "git");
                            Envelope env = log.append(r, seq, e);
                            synchronized (appended) {
                                appended.get(r).add(env);
                            }
                        }
                        if (seq == perRelease / 2) {
                            halfway.countDown();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            first.close();                                  // while the writer keeps appending
            assertTrue(log.count("select count(*) from release_relay_offsets") > 0, "offsets stored in the database");
            Relay second = Relay.start(config);
            try {
                writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await(second::isActive, "the second relay to become active");
                for (String r : releases) {
                    appended.get(r).add(log.append(r, perRelease + 1, new StepStarted("step-last", 1, "c", "w")));
                }
                bus.pollUntil(() -> releases.stream().allMatch(r ->
                                ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended.get(r)))),
                        WAIT, "every appended event after the restart");
            } finally {
                second.close();
            }

            for (String r : releases) {
                List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(ids(bus.records(Topics.EVENTS, r))));
                assertEquals(ids(appended.get(r)), firstSeen, "events of " + r + " after dropping duplicates");
            }
            log.dropSlot(slot);
        }
    }

    @Test
    void aSecondRelayStandsByUntilTheActiveOneCloses() throws Exception {
        String slot = "relay_standby";
        String r = release("standby");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS)) {
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot);
            List<Envelope> appended = new ArrayList<>();
            Relay first = Relay.start(config);
            Relay second = null;
            try {
                await(first::isActive, "the first relay to become active");
                second = Relay.start(config);
                Relay standby = second;
                await(() -> standby.status() == Relay.Status.STANDBY, "the second relay to stand by");

                appended.add(log.append(r, 1, started(r)));
                appended.add(log.append(r, 2, requested("git.resolve-head", "git")));
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended)), WAIT,
                        "events published by the first relay");
                assertTrue(first.isActive());
                assertFalse(second.isActive());
                assertEquals(Relay.Status.STANDBY, second.status());

                first.close();
                await(standby::isActive, "the second relay to take over");
                appended.add(log.append(r, 3, new StepStarted("git.resolve-head", 1, "cmd", "git-1")));
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended)), WAIT,
                        "events published by the second relay");
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
            List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(ids(bus.records(Topics.EVENTS, r))));
            assertEquals(ids(appended), firstSeen);
            assertEquals(Relay.Status.CLOSED, first.status());
            log.dropSlot(slot);
        }
    }

    @Test
    void offsetsKeptInAFileLetARestartedRelayResume(@TempDir Path dir) throws Exception {
        String slot = "relay_file";
        String r = release("file");
        Path offsets = dir.resolve("relay.offsets");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS)) {
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot)
                    .withOffsetStorage(RelayConfig.OffsetStorage.inFile(offsets));
            List<Envelope> appended = new ArrayList<>();
            try (Relay relay = Relay.start(config)) {
                await(relay::isActive, "the relay to become active");
                appended.add(log.append(r, 1, started(r)));
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended)), WAIT, "the first event");
            }
            assertTrue(Files.size(offsets) > 0, "offsets stored in " + offsets);
            appended.add(log.append(r, 2, requested("git.resolve-head", "git")));   // while no relay runs
            try (Relay relay = Relay.start(config)) {
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended)), WAIT, "the second event");
            }
            assertEquals(ids(appended), new ArrayList<>(new LinkedHashSet<>(ids(bus.records(Topics.EVENTS, r)))));
            log.dropSlot(slot);
        }
    }

    @Test
    void eventsPublishedRightAfterTheCommitAreNotPublishedAgainByTheRelay() throws Exception {
        String slot = "relay_fast";
        String r = release("fast"), sentinel = release("fast-sentinel");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS, Topics.commands("git"))) {
            // a slow WAL poll: what arrives early came by the fast path
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot).withPollIntervalMs(500);
            List<Envelope> appended = new ArrayList<>();
            try (Relay relay = Relay.start(config)) {
                await(relay::isActive, "the relay to become active");
                appended.add(log.append(r, 1, started(r)));
                appended.add(log.append(r, 2, requested("git.resolve-head", "git")));
                assertTrue(relay.publishCommitted(r, appended), "a new release goes fast from its first event");
                List<Envelope> next = List.of(log.append(r, 3, new StepStarted("git.resolve-head", 1, "cmd-git-git.resolve-head", "w")));
                assertTrue(relay.publishCommitted(r, next));
                appended.addAll(next);
                Envelope afterGap = log.append(r, 5, new StepStarted("x", 1, "c", "w"));
                assertFalse(relay.publishCommitted(r, List.of(afterGap)),
                        "a gap (seq 4 never handed over) leaves the event to the relay");
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended)), WAIT, "the fast sends");
                appended.add(afterGap);
                await(() -> relay.fastSendsInFlight() == 0, "the relay to read the fast-sent events back from the WAL");
                Envelope last = log.append(sentinel, 1, started(sentinel)); // through the relay alone
                bus.pollUntil(() -> ids(bus.records(Topics.EVENTS, sentinel)).contains(last.id()), WAIT, "the sentinel");
                bus.readToEnd(WAIT);
            }
            List<ConsumerRecord<String, byte[]>> published = bus.records(Topics.EVENTS, r);
            assertEquals(ids(appended), ids(published), "each event once, in seq order (seq 5 by the relay)");
            for (int i = 0; i < appended.size(); i++) {
                assertEquals(appended.get(i), decode(published.get(i)));
            }
            assertCommand(bus, Topics.commands("git"), appended.get(1));
            log.dropSlot(slot);
        }
    }

    @Test
    void aRecordKafkaRefusesIsDeadLetteredAndTheNextReleasesFlowAlsoAfterARestart() throws Exception {
        String slot = "relay_poison";
        String poison = release("poison"), next = release("next"), after = release("after");
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS, Topics.DEAD_LETTER, Topics.commands("git"))) {
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot);
            try (Relay relay = Relay.start(config)) {
                await(relay::isActive, "the relay to become active");
                // a 3 MB event: above Kafka's 1 MB record limit, on the fast path and then on the WAL path
                Envelope huge = log.append(poison, 1, new ReleaseEvent.ReleaseCancelled("alice", "x".repeat(3 * 1024 * 1024)));
                relay.publishCommitted(poison, List.of(huge));
                List<Envelope> nextEvents = List.of(log.append(next, 1, started(next)), log.append(next, 2, requested("git.resolve-head", "git")));
                relay.publishCommitted(next, nextEvents);
                String written = log.text("select pg_current_wal_lsn()::text");

                bus.pollUntil(() -> !bus.records(Topics.commands("git"), next).isEmpty()
                        && !bus.records(Topics.DEAD_LETTER, poison).isEmpty(), WAIT, "the next release's command and the dead letter");
                assertCommand(bus, Topics.commands("git"), nextEvents.get(1));
                ConsumerRecord<String, byte[]> dead = bus.records(Topics.DEAD_LETTER, poison).get(0);
                String reason = BusReader.header(dead, Topics.DEAD_LETTER_REASON);
                assertTrue(reason.contains("RecordTooLargeException") && reason.contains(Topics.EVENTS), reason);
                assertEquals(huge.id(), BusReader.header(dead, CloudEventCodec.H_ID), "the dead letter names the event");
                assertEquals(Topics.EVENTS, BusReader.header(dead, RelayRecords.DEAD_LETTER_TOPIC));
                assertTrue(Long.parseLong(BusReader.header(dead, RelayRecords.DEAD_LETTER_SIZE)) > 3 * 1024 * 1024);
                assertTrue(bus.records(Topics.EVENTS, poison).isEmpty());
                // the WAL position is acknowledged past the refused row
                await(() -> {
                    try {
                        return log.count("select count(*) from pg_replication_slots where slot_name = '" + slot
                                + "' and confirmed_flush_lsn >= '" + written + "'::pg_lsn") == 1;
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, "the slot to confirm the WAL past the refused row");
            }
            // appended while no relay runs, published by the next one through the WAL
            Envelope afterCommand = log.append(after, 1, started(after));
            afterCommand = log.append(after, 2, requested("git.resolve-head", "git"));
            try (Relay restarted = Relay.start(config)) {
                Envelope expected = afterCommand;
                bus.pollUntil(() -> !bus.records(Topics.commands("git"), after).isEmpty(), WAIT, "the command of the release after the restart");
                assertCommand(bus, Topics.commands("git"), expected);
            }
            log.dropSlot(slot);
        }
    }

    @Test
    void withTheFastPathARestartedRelayStillLosesNothingAndKeepsEachReleaseInOrder() throws Exception {
        String slot = "relay_fast_restart";
        List<String> releases = List.of(release("f1"), release("f2"), release("f3"));
        int perRelease = 40;
        try (ReleaseLogFixture log = new ReleaseLogFixture(postgres, slot);
             BusReader bus = new BusReader(kafka.bootstrapServers(), Topics.EVENTS)) {
            Map<String, List<Envelope>> appended = new LinkedHashMap<>();
            releases.forEach(r -> appended.put(r, new ArrayList<>()));
            RelayConfig config = log.relayConfig(kafka.bootstrapServers(), slot).withPollIntervalMs(200);
            java.util.concurrent.atomic.AtomicReference<Relay> current = new java.util.concurrent.atomic.AtomicReference<>(Relay.start(config));
            await(() -> current.get().isActive(), "the first relay to become active");
            CountDownLatch halfway = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger fastSends = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int seq = 1; seq <= perRelease; seq++) {
                        for (String r : releases) {
                            ReleaseEvent e = seq == 1 ? started(r) : requested("step-" + seq, "git");
                            Envelope env = log.append(r, seq, e);    // committed, then published at once, as the coordinator does
                            synchronized (appended) {
                                appended.get(r).add(env);
                            }
                            if (current.get().publishCommitted(r, List.of(env))) {
                                fastSends.incrementAndGet();
                            }
                        }
                        if (seq == perRelease / 2) {
                            halfway.countDown();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            current.get().close();                           // while the writer keeps appending and publishing
            current.set(Relay.start(config));
            try {
                writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await(() -> current.get().isActive(), "the second relay to become active");
                for (String r : releases) {
                    Envelope env = log.append(r, perRelease + 1, new StepStarted("step-last", 1, "c", "w"));
                    appended.get(r).add(env);
                    current.get().publishCommitted(r, List.of(env));
                }
                bus.pollUntil(() -> releases.stream().allMatch(r ->
                                ids(bus.records(Topics.EVENTS, r)).containsAll(ids(appended.get(r)))),
                        WAIT, "every appended event after the restart");
            } finally {
                current.get().close();
            }
            assertTrue(fastSends.get() > 0, "some events went by the fast path");
            for (String r : releases) {
                List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(ids(bus.records(Topics.EVENTS, r))));
                assertEquals(ids(appended.get(r)), firstSeen, "events of " + r + " after dropping duplicates");
            }
            log.dropSlot(slot);
        }
    }

    @Test
    void theConfigReadsTheDatasourceUrl() {
        RelayConfig c = RelayConfig.fromJdbcUrl("jdbc:postgresql://db.internal:6432/releasetrain?sslmode=require",
                "relay", "secret", "kafka:9092");
        assertEquals("db.internal", c.dbHost());
        assertEquals(6432, c.dbPort());
        assertEquals("releasetrain", c.database());
        assertEquals(RelayConfig.DEFAULT_SLOT, c.slotName());
        assertEquals(10, c.pollIntervalMs());
        assertEquals(5432, RelayConfig.fromJdbcUrl("jdbc:postgresql://localhost/rt", "u", "p", "k").dbPort());
        assertFalse(c.toString().contains("secret"));
    }

    private static void assertCommand(BusReader bus, String topic, Envelope expected) {
        List<ConsumerRecord<String, byte[]>> commands = bus.records(topic, expected.releaseId());
        assertEquals(List.of(expected.id()), ids(commands), "commands of " + expected.releaseId() + " on " + topic);
        Map<String, String> h = BusReader.headers(commands.get(0));
        assertEquals("1.0", h.get(CloudEventCodec.H_SPEC));
        assertEquals(expected.id(), h.get(CloudEventCodec.H_ID));
        assertEquals("dev.releasetrain.StepRequested.v1", h.get(CloudEventCodec.H_TYPE));
        assertEquals(ReleaseLogFixture.SOURCE, h.get(CloudEventCodec.H_SOURCE));
        assertEquals(expected.releaseId(), h.get(CloudEventCodec.H_SUBJECT));
        assertEquals(expected.time().toString(), h.get(CloudEventCodec.H_TIME));
        assertEquals(String.valueOf(expected.seq()), h.get(CloudEventCodec.H_SEQ));
        assertEquals(CloudEventCodec.CONTENT_TYPE, h.get(CloudEventCodec.H_CONTENT_TYPE));
        assertEquals(expected, decode(commands.get(0)));
    }

    private static Envelope decode(ConsumerRecord<String, byte[]> record) {
        return CloudEventCodec.decode(BusReader.headers(record), record.value());
    }

    private static List<String> ids(List<?> recordsOrEnvelopes) {
        return recordsOrEnvelopes.stream()
                .map(o -> o instanceof Envelope e ? e.id() : BusReader.header((ConsumerRecord<?, ?>) o, CloudEventCodec.H_ID))
                .collect(Collectors.toList());
    }

    private static void appendTo(Map<String, List<Envelope>> appended, ReleaseLogFixture log, String release,
                                 ReleaseEvent... events) throws Exception {
        List<Envelope> stream = appended.computeIfAbsent(release, k -> new ArrayList<>());
        for (ReleaseEvent e : events) {
            stream.add(log.append(release, stream.size() + 1, e));
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    private static String release(String name) {
        return "9." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1000) + "." + name;
    }

    private static ReleaseStarted started(String version) {
        return new ReleaseStarted(version, "minor", "1.28.0", "proving", "hash", "test", Map.of(), null);
    }

    private static StepRequested requested(String step, String service) {
        return new StepRequested(step, service, 1, "cmd-" + service + "-" + step, Map.of("version", "x"));
    }
}
