package dev.releasetrain.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        return begin(dataDir).await();
    }

    /**
     * Starts both side by side and returns at once. The broker's address is known before it listens,
     * and the database is usually up well before the broker, so an application can be started as soon
     * as {@link Starting#awaitDatabase()} returns: Kafka clients wait for their broker by themselves.
     */
    public static Starting begin(Path dataDir) {
        return new Starting(dataDir);
    }

    /** Kafka and PostgreSQL on their way up. */
    public static final class Starting {
        private final Optional<String> externalKafka = externalKafka();
        private final Optional<String> externalDb = externalDbUrl();
        private final String kafkaBootstrapServers;
        private final CompletableFuture<EmbeddedKafka> kafka;
        private final CompletableFuture<LocalPostgres> postgres;

        private Starting(Path dataDir) {
            int brokerPort = externalKafka.isPresent() ? 0 : FreePorts.find();
            kafkaBootstrapServers = externalKafka.orElse("127.0.0.1:" + brokerPort);
            kafka = externalKafka.isPresent() ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(dataDir == null ? null : dataDir.resolve("kafka"), brokerPort),
                    command -> thread("local-kafka-start", command));
            postgres = externalDb.isPresent() ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> LocalPostgres.start(dataDir == null ? null : dataDir.resolve("postgres"), 0),
                    command -> thread("local-postgres-start", command));
        }

        private static void thread(String name, Runnable command) {
            Thread t = new Thread(command, name);
            t.setDaemon(true);
            t.start();
        }

        /** Where the broker listens (or will). */
        public String kafkaBootstrapServers() {
            return kafkaBootstrapServers;
        }

        /**
         * Waits for the database only; returns the Quarkus configuration pointing an app at both
         * (the broker may still be starting). If the database fails, the broker is stopped too.
         */
        public Map<String, String> awaitDatabase() {
            LocalPostgres pg;
            try {
                pg = join(postgres);
            } catch (RuntimeException e) {
                stopQuietly();
                throw e;
            }
            return config(kafkaBootstrapServers, jdbcUrl(pg), username(pg), password(pg));
        }

        /** Waits for both; if either fails, whatever did start is stopped and the failure thrown. */
        public LocalInfra await() {
            EmbeddedKafka k;
            LocalPostgres pg;
            try {
                k = join(kafka);
                pg = join(postgres);
            } catch (RuntimeException e) {
                stopQuietly();
                throw e;
            }
            return new LocalInfra(kafkaBootstrapServers, k, jdbcUrl(pg), username(pg), password(pg), pg);
        }

        private String jdbcUrl(LocalPostgres pg) {
            return externalDb.orElseGet(pg::jdbcUrl);
        }

        private String username(LocalPostgres pg) {
            return externalDb.isPresent()
                    ? setting("quarkus.datasource.username", "RELEASE_TRAIN_DB_USER", "QUARKUS_DATASOURCE_USERNAME").orElse("postgres")
                    : pg.username();
        }

        private String password(LocalPostgres pg) {
            return externalDb.isPresent()
                    ? setting("quarkus.datasource.password", "RELEASE_TRAIN_DB_PASSWORD", "QUARKUS_DATASOURCE_PASSWORD").orElse("")
                    : pg.password();
        }

        private void stopQuietly() {
            kafka.whenComplete((k, error) -> closeQuietly(k));
            postgres.whenComplete((pg, error) -> closeQuietly(pg));
        }

        /** Gives up: waits for both starts to end and stops whatever started (for a caller that failed before {@link #await()}). */
        public void stop() {
            stopQuietly();
            try {
                CompletableFuture.allOf(kafka, postgres).handle((v, e) -> null).get(2, java.util.concurrent.TimeUnit.MINUTES);
            } catch (Exception e) {
                System.getLogger(LocalInfra.class.getName()).log(System.Logger.Level.WARNING, "embedded infrastructure still starting; not stopped", e);
            }
        }

        private static <T> T join(CompletableFuture<T> starting) {
            try {
                return starting.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
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
        return config(kafkaBootstrapServers, jdbcUrl, dbUsername, dbPassword);
    }

    private static Map<String, String> config(String kafkaBootstrapServers, String jdbcUrl, String dbUsername, String dbPassword) {
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
