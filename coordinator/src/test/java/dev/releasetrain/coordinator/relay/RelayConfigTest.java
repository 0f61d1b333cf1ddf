package dev.releasetrain.coordinator.relay;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay's settings for a real cluster: the datasource URL's parameters and the Kafka client's security. */
class RelayConfigTest {

    private static final String URL = "jdbc:postgresql://db.internal:6432/releasetrain"
            + "?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fca.pem&options=-c%20statement_timeout%3D0&sslpassword=s3cr3t";

    @Test
    void theJdbcUrlKeepsItsParametersForEveryConnectionOfTheRelay() {
        RelayConfig c = RelayConfig.fromJdbcUrl(URL, "relay", "pw", "kafka:9093");

        assertEquals("db.internal", c.dbHost());
        assertEquals(6432, c.dbPort());
        assertEquals("releasetrain", c.database());
        assertEquals(Map.of("sslmode", "verify-full", "sslrootcert", "/etc/ssl/ca.pem",
                "options", "-c statement_timeout=0", "sslpassword", "s3cr3t"), c.jdbcParameters());
        // the URL of the lock, the row reader and the offset store: the same parameters, in order
        RelayConfig again = RelayConfig.fromJdbcUrl(c.jdbcUrl(), "relay", "pw", "kafka:9093");
        assertEquals(c.jdbcParameters(), again.jdbcParameters());
        assertTrue(c.jdbcUrl().startsWith("jdbc:postgresql://db.internal:6432/releasetrain?sslmode=verify-full&sslrootcert="),
                c.jdbcUrl());
        // Debezium's own connections (snapshot, replication stream) get them through its driver pass-through
        Properties debezium = DebeziumProperties.of(c, true);
        assertEquals("verify-full", debezium.getProperty("driver.sslmode"));
        assertEquals("/etc/ssl/ca.pem", debezium.getProperty("driver.sslrootcert"));
        assertEquals(c.jdbcUrl(), debezium.getProperty("offset.storage.jdbc.connection.url"));
        // and the other settings stay as they were
        RelayConfig changed = c.withSlotName("other").withPollIntervalMs(50);
        assertEquals(c.jdbcParameters(), changed.jdbcParameters());
    }

    @Test
    void aUrlWithoutParametersStaysAsItWas() {
        RelayConfig c = RelayConfig.fromJdbcUrl("jdbc:postgresql://localhost/rt", "u", "p", "k:9092");
        assertEquals("jdbc:postgresql://localhost:5432/rt", c.jdbcUrl());
        assertEquals(Map.of(), c.jdbcParameters());
        assertFalse(DebeziumProperties.of(c, true).stringPropertyNames().stream().anyMatch(n -> n.startsWith("driver.")));
    }

    @Test
    void theProducerGetsTheSecuritySettingsOfTheApplicationsKafkaConfiguration() {
        Map<String, Object> kafka = new LinkedHashMap<>();
        // as Quarkus's default-kafka-broker map has them (no prefix), and as written in a properties file
        kafka.put("bootstrap.servers", "ignored:1");
        kafka.put("group.id", "coordinator");
        kafka.put("security.protocol", "SASL_SSL");
        kafka.put("sasl.mechanism", "SCRAM-SHA-512");
        kafka.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"relay\" password=\"kafka-s3cr3t\";");
        kafka.put("kafka.ssl.truststore.location", "/etc/kafka/ca.p12");
        kafka.put("ssl.truststore.password", "trust-s3cr3t");
        kafka.put("ssl.endpoint.identification.algorithm", "https");

        RelayConfig c = RelayConfig.fromJdbcUrl(URL, "relay", "pw", "kafka:9093").withKafkaSettings(kafka);
        Map<String, Object> producer = c.producerProperties();

        assertEquals(Map.of("bootstrap.servers", "kafka:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", kafka.get("sasl.jaas.config"),
                "ssl.truststore.location", "/etc/kafka/ca.p12",
                "ssl.truststore.password", "trust-s3cr3t",
                "ssl.endpoint.identification.algorithm", "https"), producer);
        assertTrue(ProducerConfig.configNames().containsAll(producer.keySet()), "every key is a producer setting");
        // a change of another field keeps them
        assertEquals(producer, c.withHeartbeatIntervalMs(5000).producerProperties());
    }

    @Test
    void secretsStayOutOfItsDescription() {
        RelayConfig c = RelayConfig.fromJdbcUrl(URL, "relay", "db-pw", "kafka:9093")
                .withKafkaSettings(Map.of("sasl.jaas.config", "... password=\"kafka-s3cr3t\";", "ssl.key.password", "key-s3cr3t"));
        String described = c.toString();
        for (String secret : new String[]{"db-pw", "s3cr3t"}) {
            assertFalse(described.contains(secret), described);
        }
        assertTrue(described.contains("sslmode") && described.contains("sasl.jaas.config"), described);
    }
}
