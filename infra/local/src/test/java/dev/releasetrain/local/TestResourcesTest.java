package dev.releasetrain.local;

import dev.releasetrain.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestResourcesTest {

    @Test
    void testResourcesShareOneBrokerAndOneDatabaseWithTopicsCreated() throws Exception {
        Map<String, String> kafka = new KafkaTestResource().start();
        assertEquals(kafka, new KafkaTestResource().start(), "a second start reuses the broker");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.get("kafka.bootstrap.servers")))) {
            assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(Topics.all()));
        }

        Map<String, String> db = new PostgresTestResource().start();
        assertEquals(db, new PostgresTestResource().start(), "a second start reuses the database");
        try (var c = DriverManager.getConnection(db.get("quarkus.datasource.jdbc.url"),
                db.get("quarkus.datasource.username"), db.get("quarkus.datasource.password"));
             var rs = c.createStatement().executeQuery("show wal_level")) {
            assertTrue(rs.next());
            assertEquals("logical", rs.getString(1));
        }
    }
}
