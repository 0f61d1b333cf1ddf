package dev.releasetrain.coordinator.relay;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the relay needs: the release log's PostgreSQL, the Kafka cluster, and the names of its
 * replication slot and publication. {@link #of} fills in the defaults; the {@code with…} methods
 * change one field.
 *
 * @param dbHost                 PostgreSQL host
 * @param dbPort                 PostgreSQL port
 * @param database               the database holding {@code public.release_events}
 * @param dbUser                 a user allowed to replicate (superuser or REPLICATION role)
 * @param dbPassword             its password
 * @param kafkaBootstrapServers  Kafka bootstrap servers
 * @param slotName               logical replication slot (also names the advisory lock and the stored offsets)
 * @param publicationName        pgoutput publication, created for {@code release_events} if missing
 * @param pollIntervalMs         how often the engine polls for new changes: latency vs idle CPU
 * @param offsetFlushIntervalMs  how often processed positions are stored: bounds redelivery after a crash
 * @param offsetStorage          where processed positions are stored
 * @param heartbeatIntervalMs    how often the relay writes its heartbeat row, which lets the slot confirm
 *                               WAL while {@code release_events} is quiet (else PostgreSQL keeps that WAL)
 * @param jdbcParameters         the datasource URL's parameters ({@code sslmode}, {@code sslrootcert}, ...), in
 *                               their order, decoded: every connection of the relay passes them to the driver
 * @param kafkaSettings          the Kafka client's security settings ({@code security.protocol}, {@code sasl.*},
 *                               {@code ssl.*}) for the relay's producer, as the application's {@code kafka.*}
 *                               configuration has them (secrets among them: never printed)
 */
public record RelayConfig(String dbHost, int dbPort, String database, String dbUser, String dbPassword,
                          String kafkaBootstrapServers, String slotName, String publicationName,
                          long pollIntervalMs, long offsetFlushIntervalMs, OffsetStorage offsetStorage,
                          long heartbeatIntervalMs, Map<String, String> jdbcParameters,
                          Map<String, String> kafkaSettings) {

    public static final String DEFAULT_SLOT = "release_train_relay";
    public static final String DEFAULT_PUBLICATION = "release_train_relay";
    public static final long DEFAULT_POLL_INTERVAL_MS = 10;
    public static final long DEFAULT_OFFSET_FLUSH_INTERVAL_MS = 1000;
    public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

    public RelayConfig {
        Objects.requireNonNull(dbHost, "dbHost");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(dbUser, "dbUser");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(publicationName, "publicationName");
        Objects.requireNonNull(offsetStorage, "offsetStorage");
        dbPassword = dbPassword == null ? "" : dbPassword;
        jdbcParameters = jdbcParameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(jdbcParameters));
        kafkaSettings = kafkaSettings == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(kafkaSettings));
        if (dbPort <= 0 || pollIntervalMs <= 0 || offsetFlushIntervalMs < 0 || heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("dbPort, pollIntervalMs and heartbeatIntervalMs must be positive, offsetFlushIntervalMs not negative");
        }
    }

    /** Defaults: slot and publication {@value #DEFAULT_SLOT}, poll every 10 ms, offsets in the same database. */
    public static RelayConfig of(String dbHost, int dbPort, String database, String dbUser, String dbPassword,
                                 String kafkaBootstrapServers) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                DEFAULT_SLOT, DEFAULT_PUBLICATION, DEFAULT_POLL_INTERVAL_MS, DEFAULT_OFFSET_FLUSH_INTERVAL_MS,
                OffsetStorage.inDatabase(), DEFAULT_HEARTBEAT_INTERVAL_MS, Map.of(), Map.of());
    }

    /** From a {@code jdbc:postgresql://host[:port]/database[?…]} URL (the datasource's), with the defaults of {@link #of}. */
    public static RelayConfig fromJdbcUrl(String jdbcUrl, String dbUser, String dbPassword, String kafkaBootstrapServers) {
        String prefix = "jdbc:postgresql://";
        if (jdbcUrl == null || !jdbcUrl.startsWith(prefix)) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + jdbcUrl);
        }
        URI uri = URI.create("postgresql://" + jdbcUrl.substring(prefix.length()));
        String path = uri.getPath();
        if (uri.getHost() == null || path == null || path.length() < 2) {
            throw new IllegalArgumentException("the relay needs one host and a database in " + jdbcUrl);
        }
        return of(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, path.substring(1), dbUser, dbPassword,
                kafkaBootstrapServers).withJdbcParameters(parameters(uri.getRawQuery()));
    }

    /** The release log's database, with the datasource URL's parameters. */
    public String jdbcUrl() {
        String url = "jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + database;
        return jdbcParameters.isEmpty() ? url : url + "?" + jdbcParameters.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    /**
     * The relay's producer's connection settings: the bootstrap servers and {@link #kafkaSettings}. The
     * producer adds its own delivery settings (acks, idempotence) to these.
     */
    public Map<String, Object> producerProperties() {
        Map<String, Object> p = new HashMap<>(kafkaSettings);
        p.put("bootstrap.servers", kafkaBootstrapServers);
        return p;
    }

    /**
     * The security settings among a Kafka client configuration: {@code security.protocol}, {@code sasl.*} and
     * {@code ssl.*}, with or without the {@code kafka.} prefix (the application's configuration, or the map
     * Quarkus gives as {@code default-kafka-broker}, whose keys have none).
     */
    public static Map<String, String> kafkaSecuritySettings(Map<String, ?> kafkaConfig) {
        Map<String, String> settings = new TreeMap<>();
        kafkaConfig.forEach((name, value) -> {
            String key = name.startsWith("kafka.") ? name.substring("kafka.".length()) : name;
            if (value != null && (key.equals("security.protocol") || key.startsWith("sasl.") || key.startsWith("ssl."))) {
                settings.put(key, String.valueOf(value));
            }
        });
        return settings;
    }

    /** This configuration with the Kafka security settings of {@code kafkaConfig} (see {@link #kafkaSecuritySettings}). */
    public RelayConfig withKafkaSettings(Map<String, ?> kafkaConfig) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSecuritySettings(kafkaConfig));
    }

    public RelayConfig withJdbcParameters(Map<String, String> jdbcParameters) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    private static Map<String, String> parameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    parameters.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
        }
        return parameters;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public RelayConfig withSlotName(String slotName) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    public RelayConfig withPublicationName(String publicationName) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    public RelayConfig withPollIntervalMs(long pollIntervalMs) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    public RelayConfig withOffsetStorage(OffsetStorage offsetStorage) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    public RelayConfig withHeartbeatIntervalMs(long heartbeatIntervalMs) {
        return new RelayConfig(dbHost, dbPort, database, dbUser, dbPassword, kafkaBootstrapServers,
                slotName, publicationName, pollIntervalMs, offsetFlushIntervalMs, offsetStorage, heartbeatIntervalMs,
                jdbcParameters, kafkaSettings);
    }

    @Override
    public String toString() {
        // names only: a parameter or a setting may be a password
        return "RelayConfig[jdbc:postgresql://" + dbHost + ":" + dbPort + "/" + database + " parameters "
                + jdbcParameters.keySet() + ", user " + dbUser + ", kafka " + kafkaBootstrapServers + " settings "
                + kafkaSettings.keySet() + ", slot " + slotName + ", publication " + publicationName + ", poll " + pollIntervalMs + " ms, offsets "
                + offsetStorage + "]";
    }

    /** Where the relay stores how far it got in the WAL. */
    public sealed interface OffsetStorage {
        /** A table in the release log's database, so any coordinator instance can take over (the default). */
        record InDatabase(String table) implements OffsetStorage {
            public InDatabase {
                if (table == null || !table.matches("[a-z_][a-z0-9_]*")) {
                    throw new IllegalArgumentException("offset table must be a lower-case SQL identifier: " + table);
                }
            }
        }

        /** A local file: only for a single instance that keeps its disk. */
        record InFile(Path file) implements OffsetStorage {
            public InFile {
                Objects.requireNonNull(file, "file");
            }
        }

        static OffsetStorage inDatabase() {
            return new InDatabase("release_relay_offsets");
        }

        static OffsetStorage inFile(Path file) {
            return new InFile(file);
        }
    }
}
