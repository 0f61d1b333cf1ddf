package dev.releasetrain.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * {@code @QuarkusTestResource(PostgresTestResource.class)}: a real PostgreSQL set up for logical
 * decoding (or the external one named by {@code RELEASE_TRAIN_DB_URL} / {@code quarkus.datasource.jdbc.url}),
 * shared by the whole test JVM. Sets {@code quarkus.datasource.jdbc.url}, {@code .username}, {@code .password}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        var external = LocalInfra.externalDbUrl();
        if (external.isPresent()) {
            return Map.of(
                    "quarkus.datasource.jdbc.url", external.get(),
                    "quarkus.datasource.username", LocalInfra.setting("quarkus.datasource.username", "RELEASE_TRAIN_DB_USER", "QUARKUS_DATASOURCE_USERNAME").orElse("postgres"),
                    "quarkus.datasource.password", LocalInfra.setting("quarkus.datasource.password", "RELEASE_TRAIN_DB_PASSWORD", "QUARKUS_DATASOURCE_PASSWORD").orElse(""));
        }
        var pg = SharedTestInfra.postgres();
        return Map.of(
                "quarkus.datasource.jdbc.url", pg.get(0),
                "quarkus.datasource.username", pg.get(1),
                "quarkus.datasource.password", pg.get(2));
    }

    @Override
    public void stop() {
        // shared by the test JVM: stopped by SharedTestInfra's shutdown hook
    }
}
