package dev.releasetrain.local;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the embedded broker's logging down to WARN: it logs hundreds of INFO lines per start.
 *
 * <p>The broker logs through SLF4J (kafka_2.13 4.1.2 brings slf4j-api, scala-logging, and log4j-core
 * 2.25 only for its dynamic log-level admin API, with no SLF4J binding). Under Quarkus, and in our
 * surefire runs, SLF4J goes to JBoss LogManager, a java.util.logging implementation, so the levels
 * are set on the JUL categories {@code kafka}, {@code org.apache.kafka} and {@code state.change.logger}.
 * A level already configured for a category (e.g. {@code quarkus.log.category."kafka".level}) is kept.
 * Apps should still configure {@code org.apache.kafka} and {@code kafka} at WARN themselves, since
 * Quarkus applies its own log configuration when it starts.
 */
final class BrokerLogging {
    static final List<String> CATEGORIES = List.of("kafka", "org.apache.kafka", "state.change.logger");

    // JUL loggers are weakly referenced by the LogManager: keep them, or their levels are lost.
    private static final List<Logger> KEPT = new ArrayList<>();

    private BrokerLogging() {
    }

    static synchronized void quiet() {
        if (!KEPT.isEmpty()) {
            return;
        }
        for (String category : CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            if (logger.getLevel() == null) {
                logger.setLevel(Level.WARNING);
            }
            KEPT.add(logger);
        }
    }
}
