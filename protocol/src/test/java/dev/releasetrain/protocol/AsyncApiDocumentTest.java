package dev.releasetrain.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/asyncapi.yaml} is the document {@link AsyncApiDocument} builds from this module: a record, a field, a
 * topic or a header added here and not there fails this test. {@code -Dasyncapi.write=true} writes the file anew.
 */
class AsyncApiDocumentTest {
    static final Path FILE = Path.of("..", "docs", "asyncapi.yaml");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    @Test
    void theDocumentIsInStepWithTheProtocol() throws IOException {
        String expected = "# Generated from the protocol module by AsyncApiDocumentTest: edit the records, then run\n"
                + "#   ./mvnw -pl protocol test -Dtest=AsyncApiDocumentTest -Dasyncapi.write=true\n"
                + YAML.writeValueAsString(AsyncApiDocument.build());
        if (Boolean.getBoolean("asyncapi.write")) {
            Files.writeString(FILE, expected);
        }
        assertTrue(Files.exists(FILE), FILE.toAbsolutePath() + " is missing: run with -Dasyncapi.write=true");
        assertEquals(expected, Files.readString(FILE),
                "docs/asyncapi.yaml is out of step with the protocol: run with -Dasyncapi.write=true and commit it");
    }

    @Test
    void everyEventTypeHasAMessageWhoseSchemaMatchesItsStoredSample() throws IOException {
        JsonNode doc = YAML.readTree(YAML.writeValueAsString(AsyncApiDocument.build()));
        for (String type : EventTypes.all()) {
            String name = EventTypes.shortName(type);
            JsonNode message = doc.path("components").path("messages").path(name);
            assertEquals(type, message.path("title").asText(), name + " has a message titled with its type");
            JsonNode schema = doc.path("components").path("schemas").path(name);
            try (InputStream in = getClass().getResourceAsStream("/samples/" + type.substring(EventTypes.PREFIX.length()) + ".json")) {
                if (in == null) {
                    continue;
                }
                JsonNode data = CloudEventCodec.json().readTree(in).path("body");
                for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
                    String field = it.next().getKey();
                    assertTrue(schema.path("properties").has(field), name + "'s schema has the sample's field " + field);
                }
            }
        }
        assertEquals(Topics.DEAD_LETTER, doc.path("channels").path("deadLetters").path("address").asText());
    }
}
