package dev.releasetrain.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Servers started from the cluster template are independent, fully set up, and clean up after themselves. */
class ClusterTemplateTest {
    @TempDir
    Path cache;
    private String before;

    @BeforeEach
    void pointTheTemplateHere() {
        before = System.getProperty("release-train.postgres.template-dir");
        System.setProperty("release-train.postgres.template-dir", cache.toString());
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("release-train.postgres.template-dir");
        } else {
            System.setProperty("release-train.postgres.template-dir", before);
        }
    }

    @Test
    void twoServersFromOneTemplateAreIndependentAndConfiguredForChangeDataCapture(@TempDir Path kept) throws Exception {
        try (LocalPostgres first = LocalPostgres.start(); LocalPostgres second = LocalPostgres.start(kept.resolve("pg"), 0)) {
            try (Stream<Path> made = Files.list(cache)) {
                assertEquals(1, made.filter(p -> p.getFileName().toString().startsWith("postgres-template-")).count(),
                        "one template made on the first start, used by the second");
            }
            assertTrue(Files.exists(kept.resolve("pg").resolve("PG_VERSION")), "the kept cluster is a copy in its own directory");
            try (Connection c = first.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("create table only_in_first (id int)");
                try (ResultSet rs = s.executeQuery("show wal_level")) {
                    rs.next();
                    assertEquals("logical", rs.getString(1));
                }
            }
            try (Connection c = second.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_tables where tablename = 'only_in_first'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the second server does not share the first one's data");
            }
        }
        try (Stream<Path> left = Files.list(cache)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("making-")), "no half-made template left behind");
        }
        // a kept data directory starts again as it was (no initdb over it)
        try (LocalPostgres again = LocalPostgres.start(kept.resolve("pg"), 0);
             Connection c = again.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_database where datname = 'releasetrain'")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }
}
