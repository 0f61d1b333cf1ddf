package dev.releasetrain.coordinator.bus;

import org.eclipse.microprofile.config.Config;

import java.util.Properties;

/** The application's {@code kafka.*} settings (bootstrap servers, security, ...) for a plain Kafka client. */
final class KafkaSettings {
    private KafkaSettings() {
    }

    static Properties of(Config config) {
        Properties p = new Properties();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && !name.startsWith("kafka.devservices")) {
                config.getOptionalValue(name, String.class).ifPresent(v -> p.put(name.substring("kafka.".length()), v));
            }
        }
        return p;
    }
}
