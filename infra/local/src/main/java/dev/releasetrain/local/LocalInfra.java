package dev.releasetrain.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kafka and PostgreSQL for local runs and tests: the ones configured from outside when there are,
 * otherwise an {@link EmbeddedKafka} and a {@link LocalPostgres} started here (and stopped on close).
 *
 * <ul>
 *   <li>Kafka: system property {@code kafka.bootstrap.servers} or env {@code KAFKA_BOOTSTRAP_SERVERS}.</li>
 *   <li>PostgreSQL: system property {@code quarkus.datasource.jdbc.url} (with {@code .username},
 *       {@code .password}) or env {@code RELEASE_TRAIN_DB_URL} ({@code RELEASE_TRAIN_DB_USER},
 *       {@code RELEASE_TRAIN_DB_PASSWORD}) or env {@code QUARKUS_DATASOURCE_JDBC_URL} (and
 *       {@code QUARKUS_DATASOURCE_USERNAME}, {@code QUARKUS_DATASOURCE_PASSWORD}).</li>
 * </ul>
 */
public final class LocalInfra implements AutoCloseable {
    private final String kafkaBootstrapServers;
    private final EmbeddedKafka embeddedKafka;
    private final String jdbcUrl;
    private final String dbUsername;
    private final String dbPassword;
    private final LocalPostgres localPostgres;

    private LocalInfra(String kafkaBootstrapServers, EmbeddedKafka embeddedKafka,
                       String jdbcUrl, String dbUsername, String dbPassword, LocalPostgres localPostgres) {
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.embeddedKafka = embeddedKafka;
        this.jdbcUrl = jdbcUrl;
        this.dbUsername = dbUsername;
        this.dbPassword = dbPassword;
        this.localPostgres = localPostgres;
    }

    /** Both, on temporary data directories. */
    public static LocalInfra start() {
        return start(null);
    }

    /**
     * Both; the embedded ones keep their data under {@code dataDir}/kafka and {@code dataDir}/postgres
     * (null: temporary directories, deleted on close).
     */
    public static LocalInfra start(Path dataDir) {
        Optional<String> externalKafka = externalKafka();
        Optional<String> externalDb = externalDbUrl();
        // The broker and the database start side by side: each takes a few seconds, mostly waiting.
        java.util.concurrent.CompletableFuture<LocalPostgres> startingDb = externalDb.isPresent()
                ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> LocalPostgres.start(dataDir == null ? null : dataDir.resolve("postgres"), 0),
                        command -> {
                            Thread t = new Thread(command, "local-postgres-start");
                            t.setDaemon(true);
                            t.start();
                        });
        EmbeddedKafka kafka = null;
        LocalPostgres postgres = null;
        try {
            if (externalKafka.isEmpty()) {
                kafka = EmbeddedKafka.start(dataDir == null ? null : dataDir.resolve("kafka"));
            }
            postgres = joinStart(startingDb);
            EmbeddedKafka k = kafka;
            LocalPostgres pg = postgres;
            return new LocalInfra(
                    externalKafka.orElseGet(() -> k.bootstrapServers()), kafka,
                    externalDb.orElseGet(() -> pg.jdbcUrl()),
                    externalDb.isPresent() ? setting("quarkus.datasource.username", "RELEASE_TRAIN_DB_USER", "QUARKUS_DATASOURCE_USERNAME").orElse("postgres") : postgres.username(),
                    externalDb.isPresent() ? setting("quarkus.datasource.password", "RELEASE_TRAIN_DB_PASSWORD", "QUARKUS_DATASOURCE_PASSWORD").orElse("") : postgres.password(),
                    postgres);
        } catch (RuntimeException e) {
            closeQuietly(kafka);
            if (postgres == null) {
                try {
                    postgres = startingDb.join();
                } catch (RuntimeException ignored) {
                    // it failed to start: nothing to stop
                }
            }
            closeQuietly(postgres);
            throw e;
        }
    }

    private static LocalPostgres joinStart(java.util.concurrent.CompletableFuture<LocalPostgres> starting) {
        try {
            return starting.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** The configured external Kafka, if any. */
    public static Optional<String> externalKafka() {
        return setting("kafka.bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS", null);
    }

    /** The configured external PostgreSQL JDBC URL, if any. */
    public static Optional<String> externalDbUrl() {
        return setting("quarkus.datasource.jdbc.url", "RELEASE_TRAIN_DB_URL", "QUARKUS_DATASOURCE_JDBC_URL");
    }

    static Optional<String> setting(String property, String env, String otherEnv) {
        String v = System.getProperty(property);
        if (isBlank(v)) {
            v = System.getenv(env);
        }
        if (isBlank(v) && otherEnv != null) {
            v = System.getenv(otherEnv);
        }
        return isBlank(v) ? Optional.empty() : Optional.of(v.trim());
    }

    private static boolean isBlank(String v) {
        return v == null || v.isBlank();
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String dbUsername() {
        return dbUsername;
    }

    public String dbPassword() {
        return dbPassword;
    }

    /** Present when the broker was started here. */
    public Optional<EmbeddedKafka> embeddedKafka() {
        return Optional.ofNullable(embeddedKafka);
    }

    /** Present when PostgreSQL was started here. */
    public Optional<LocalPostgres> localPostgres() {
        return Optional.ofNullable(localPostgres);
    }

    /** The Quarkus configuration pointing an app at these. */
    public Map<String, String> quarkusConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafkaBootstrapServers);
        config.put("quarkus.datasource.jdbc.url", jdbcUrl);
        config.put("quarkus.datasource.username", dbUsername);
        config.put("quarkus.datasource.password", dbPassword);
        return config;
    }

    @Override
    public void close() {
        try {
            closeQuietly(embeddedKafka);
        } finally {
            closeQuietly(localPostgres);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.getLogger(LocalInfra.class.getName()).log(System.Logger.Level.WARNING, "cannot stop " + c, e);
        }
    }
}
