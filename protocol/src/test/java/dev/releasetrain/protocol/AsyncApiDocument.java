package dev.releasetrain.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AsyncAPI 3 document of the bus, built from this module alone: the topics of {@link Topics}, one message per
 * event type of {@link ReleaseEvent} with its CloudEvents headers ({@link CloudEventCodec}), and a JSON Schema of each
 * record's data derived from its components the way {@link CloudEventCodec#json()} writes them.
 */
final class AsyncApiDocument {
    private static final String SCHEMAS = "#/components/schemas/";
    private static final String MESSAGES = "#/components/messages/";
    private static final List<String> RESULTS = List.of("StepStarted", "StepProgress", "StepSucceeded", "StepFailed");

    private AsyncApiDocument() {
    }

    static Map<String, Object> build() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("asyncapi", "3.0.0");
        doc.put("info", map("title", "Release Train bus", "version", "1",
                "description", "The Kafka topics of Release Train. Every record is a CloudEvent in Kafka binary mode (ce_* headers,"
                        + " JSON data) keyed by its release id (the version), so one release keeps its order. Generated from the"
                        + " protocol module by AsyncApiDocumentTest (-Dasyncapi.write=true rewrites it)."));
        doc.put("defaultContentType", CloudEventCodec.CONTENT_TYPE);

        List<String> all = new ArrayList<>();
        for (Class<?> c : ReleaseEvent.class.getPermittedSubclasses()) {
            all.add(c.getSimpleName());
        }
        Map<String, Object> channels = new LinkedHashMap<>();
        channels.put("releaseEvents", channel(Topics.EVENTS,
                "Every event of every release as appended to the release log, in stream order; published by the coordinator.", all));
        channels.put("releaseResults", channel(Topics.RESULTS,
                "What the services publish about the commands they run; consumed by the coordinator.", RESULTS));
        for (String service : Topics.SERVICES) {
            channels.put("commands" + Character.toUpperCase(service.charAt(0)) + service.substring(1), channel(Topics.commands(service),
                    "The " + service + " service's commands: each StepRequested for that service.", List.of("StepRequested")));
        }
        Map<String, Object> dead = channel(Topics.DEAD_LETTER, "Records nobody could decode, record or publish, with the reason"
                + " in header " + Topics.DEAD_LETTER_REASON + ", kept with the record's own headers and value.", List.of());
        dead.put("messages", map("DeadLetter", map("$ref", MESSAGES + "DeadLetter")));
        channels.put("deadLetters", dead);
        doc.put("channels", channels);

        Map<String, Object> operations = new LinkedHashMap<>();
        operations.put("publishReleaseEvents", operation("send", "releaseEvents", "The coordinator (its relay and fast path) publishes each committed event."));
        for (String service : Topics.SERVICES) {
            String ch = "commands" + Character.toUpperCase(service.charAt(0)) + service.substring(1);
            operations.put("send" + ch.substring(0, 1).toUpperCase() + ch.substring(1), operation("send", ch,
                    "The coordinator asks the " + service + " service to run a step."));
        }
        operations.put("receiveResults", operation("receive", "releaseResults", "The coordinator records each result in the release log."));
        operations.put("parkDeadLetters", operation("send", "deadLetters", "The coordinator and the services park what they cannot handle."));
        doc.put("operations", operations);

        Map<String, Object> messages = new LinkedHashMap<>();
        Map<String, Object> schemas = new LinkedHashMap<>();
        for (Class<?> c : ReleaseEvent.class.getPermittedSubclasses()) {
            @SuppressWarnings("unchecked")
            Class<? extends ReleaseEvent> type = (Class<? extends ReleaseEvent>) c;
            messages.put(c.getSimpleName(), message(type));
            schemas.put(c.getSimpleName(), schemaOf(c));
        }
        messages.put("DeadLetter", map("name", "DeadLetter", "title", "A parked record", "headers", map("type", "object",
                "properties", map(Topics.DEAD_LETTER_REASON, map("type", "string", "description", "Why the record was parked"),
                        Topics.DEAD_LETTER_TOPIC, map("type", "string", "description", "The topic the record came from or was bound for"),
                        Topics.DEAD_LETTER_PARTITION, map("type", "string", "description", "Its partition, when it came from a topic"),
                        Topics.DEAD_LETTER_OFFSET, map("type", "string", "description", "Its offset, when it came from a topic")),
                "required", List.of(Topics.DEAD_LETTER_REASON)),
                "payload", map("description", "The record's value as it was (left out when too large to park)")));
        schemas.put("CloudEventHeaders", cloudEventHeaders());
        doc.put("components", map("messages", messages, "schemas", schemas));
        return doc;
    }

    private static Map<String, Object> channel(String address, String description, List<String> messageNames) {
        Map<String, Object> messages = new LinkedHashMap<>();
        for (String m : messageNames) {
            messages.put(m, map("$ref", MESSAGES + m));
        }
        return new LinkedHashMap<>(map("address", address, "description", description, "messages", messages));
    }

    private static Map<String, Object> operation(String action, String channel, String summary) {
        return map("action", action, "channel", map("$ref", "#/channels/" + channel), "summary", summary);
    }

    private static Map<String, Object> message(Class<? extends ReleaseEvent> type) {
        String typeName = EventTypes.typeOf(type);
        Map<String, Object> headers = map("allOf", List.of(map("$ref", SCHEMAS + "CloudEventHeaders"),
                map("type", "object", "properties", map(CloudEventCodec.H_TYPE, map("const", typeName)))));
        return map("name", type.getSimpleName(), "title", typeName, "contentType", CloudEventCodec.CONTENT_TYPE,
                "headers", headers, "payload", map("$ref", SCHEMAS + type.getSimpleName()),
                "bindings", map("kafka", map("key", map("type", "string", "description", "The release id (its version)"))));
    }

    private static Map<String, Object> cloudEventHeaders() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(CloudEventCodec.H_SPEC, map("const", CloudEventCodec.SPEC_VERSION));
        p.put(CloudEventCodec.H_ID, map("type", "string", "format", "uuid", "description", "Unique; consumers drop a repeated id"));
        p.put(CloudEventCodec.H_SOURCE, map("type", "string", "description", "Who produced it, e.g. /release-train/coordinator"));
        p.put(CloudEventCodec.H_TYPE, map("type", "string", "description", "The versioned type name, e.g. " + EventTypes.PREFIX + "StepRequested.v1"));
        p.put(CloudEventCodec.H_SUBJECT, map("type", "string", "description", "The release id (its version)"));
        p.put(CloudEventCodec.H_TIME, map("type", "string", "format", "date-time"));
        p.put(CloudEventCodec.H_SEQ, map("type", "string", "description", "The event's position in its release stream, once appended"));
        p.put(CloudEventCodec.H_TRACEPARENT, map("type", "string", "pattern", "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description", "The W3C trace context of the event (CloudEvents distributed-tracing extension): the release's"
                        + " trace, absent when tracing is off (docs/observability.md)"));
        p.put(CloudEventCodec.H_CONTENT_TYPE, map("const", CloudEventCodec.CONTENT_TYPE));
        return map("type", "object", "properties", p, "required", List.of(CloudEventCodec.H_SPEC, CloudEventCodec.H_ID,
                CloudEventCodec.H_SOURCE, CloudEventCodec.H_TYPE, CloudEventCodec.H_SUBJECT, CloudEventCodec.H_TIME));
    }

    /** A record's JSON Schema: every component is written (null included) unless it says otherwise. */
    static Map<String, Object> schemaOf(Class<?> record) {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (RecordComponent c : record.getRecordComponents()) {
            JsonInclude include = c.getAccessor().getAnnotation(JsonInclude.class);
            if (include == null) {
                include = c.getAnnotation(JsonInclude.class);
            }
            if (include == null || include.value() == JsonInclude.Include.ALWAYS) {
                required.add(c.getName());
            }
            properties.put(c.getName(), typeOf(c.getGenericType(), !c.getType().isPrimitive()));
        }
        return map("type", "object", "properties", properties, "required", required);
    }

    private static Map<String, Object> typeOf(Type t, boolean nullable) {
        Map<String, Object> s;
        if (t == String.class) {
            s = map("type", "string");
        } else if (t == int.class || t == Integer.class) {
            s = map("type", "integer", "format", "int32");
        } else if (t == long.class || t == Long.class) {
            s = map("type", "integer", "format", "int64");
        } else if (t == boolean.class || t == Boolean.class) {
            s = map("type", "boolean");
        } else if (t == Instant.class) {
            s = map("type", "string", "format", "date-time");
        } else if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
            Type value = p.getActualTypeArguments()[1];
            s = value == Object.class ? map("type", "object") : map("type", "object", "additionalProperties", typeOf(value, false));
        } else if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            s = map("type", "array", "items", typeOf(p.getActualTypeArguments()[0], false));
        } else if (t instanceof Class<?> c && c.isRecord()) {
            s = schemaOf(c); // a record nested in an event: an object of its components
        } else {
            throw new IllegalArgumentException("no JSON Schema for " + t + ": teach AsyncApiDocument the type");
        }
        if (nullable) {
            Map<String, Object> n = new LinkedHashMap<>(s);
            n.put("type", List.of(s.get("type"), "null"));
            return n;
        }
        return s;
    }

    /** An ordered map of key, value pairs. */
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
