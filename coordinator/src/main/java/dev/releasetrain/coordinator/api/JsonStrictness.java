package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Bodies are read strictly: a field given twice is refused (400 naming it) rather than one of its values
 * silently winning (with records Jackson would even fail on it as a fault of its own). Unknown fields are
 * refused by {@code quarkus.jackson.fail-on-unknown-properties}.
 */
@Singleton
public class JsonStrictness implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }
}
