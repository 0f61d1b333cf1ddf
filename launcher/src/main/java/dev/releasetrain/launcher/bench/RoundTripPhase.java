package dev.releasetrain.launcher.bench;

import dev.releasetrain.local.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phase 1, the floor every hop stands on: the raw Kafka round trip. Two clients, topics {@code bench.ping} and
 * {@code bench.pong} (one partition each): A produces 256 bytes, B consumes and produces them back, A consumes
 * them; one at a time, {@code acks=all}, {@code linger.ms=0}.
 */
final class RoundTripPhase {

    /** The round trips measured after the warm-up. */
    record RoundTrip(Samples rtt) {
        double p50() {
            return rtt.p(50);
        }

        void report(Report r) {
            r.row("Kafka round trip p50 / p99 (" + rtt.size() + " ping-pongs)", rtt.p50p99() + " ms");
            r.summary("kafka_rtt_p50_ms", rtt.p(50));
        }
    }

    private RoundTripPhase() {
    }

    static RoundTrip run(String bootstrap, Sizes sizes, Report report) throws Exception {
        int total = sizes.rttWarmup() + sizes.rttMessages();
        report.say("[1/5] Kafka round trip: %d ping-pongs (%d warm-up), acks=all, linger.ms=0, two clients", total, sizes.rttWarmup());
        EmbeddedKafka.createTopics(bootstrap, List.of("bench.ping", "bench.pong"), 1);
        TopicPartition ping = new TopicPartition("bench.ping", 0);
        TopicPartition pong = new TopicPartition("bench.pong", 0);
        Samples rtt = new Samples();
        CountDownLatch echoReady = new CountDownLatch(1);
        AtomicLong echoed = new AtomicLong();
        Thread echo = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null);
                 KafkaProducer<String, byte[]> p = KafkaClients.producer(bootstrap)) {
                c.assign(List.of(ping));
                c.seekToEnd(List.of(ping));
                c.position(ping);
                echoReady.countDown();
                while (echoed.get() < total) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                        p.send(new ProducerRecord<>("bench.pong", r.key(), r.value()));
                        echoed.incrementAndGet();
                    }
                }
            }
        }, "bench-echo");
        echo.setDaemon(true);
        echo.start();
        try (KafkaConsumer<String, byte[]> c = KafkaClients.consumer(bootstrap, null);
             KafkaProducer<String, byte[]> p = KafkaClients.producer(bootstrap)) {
            c.assign(List.of(pong));
            c.seekToEnd(List.of(pong));
            c.position(pong);
            if (!echoReady.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the echo client did not get its partition");
            }
            byte[] payload = new byte[256]; // about the size of a step result
            for (int i = 0; i < total; i++) {
                long t0 = System.nanoTime();
                pingPong(c, p, Integer.toString(i), payload, i);
                if (i >= sizes.rttWarmup()) {
                    rtt.add(System.nanoTime() - t0);
                }
            }
        }
        echo.join(10_000);
        report.say("  p50 %s ms, p99 %s ms", Report.fmt(rtt.p(50)), Report.fmt(rtt.p(99)));
        return new RoundTrip(rtt);
    }

    /** Sends one ping and reads pongs until its own comes back. */
    private static void pingPong(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> p, String key, byte[] payload, int i) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        p.send(new ProducerRecord<>("bench.ping", key, payload));
        boolean back = false;
        while (!back) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                if (key.equals(r.key())) {
                    back = true;
                }
            }
            if (!back && System.nanoTime() > deadline) {
                throw new IllegalStateException("ping " + i + " did not come back within 30 s");
            }
        }
    }
}
