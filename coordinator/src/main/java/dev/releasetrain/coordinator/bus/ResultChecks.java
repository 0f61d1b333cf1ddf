package dev.releasetrain.coordinator.bus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.releasetrain.protocol.CloudEventCodec;
import dev.releasetrain.protocol.Envelope;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;

/**
 * What makes a step result one the release log can take, judged before it is recorded, and whether a
 * refusal of the database is about one row (park the result) or the database itself (wait and try again).
 * A result that fails here is parked on its own; the rest of its poll is recorded.
 */
final class ResultChecks {
    /** The times a result may carry: PostgreSQL keeps any, but a time outside these is a broken clock or a forgery. */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private ResultChecks() {
    }

    /** Why the release log cannot take the result, or null when it can. */
    static String refusal(Envelope e) {
        try {
            UUID.fromString(e.id());
        } catch (IllegalArgumentException | NullPointerException bad) {
            return "ce_id '" + printable(e.id()) + "' is not a UUID";
        }
        if (e.releaseId() == null || e.releaseId().isBlank()) {
            return "ce_subject (the release) is missing";
        }
        if (hasNul(e.releaseId()) || hasNul(e.source())) {
            return "ce_subject or ce_source contains a NUL character";
        }
        if (e.time() == null || e.time().isBefore(EARLIEST) || e.time().isAfter(LATEST)) {
            return "ce_time " + e.time() + " is out of range (" + EARLIEST + " to " + LATEST + ")";
        }
        String field = nulIn(CloudEventCodec.json().valueToTree(e.data()), "data");
        return field == null ? null : field + " contains a NUL character";
    }

    /**
     * Whether the database refused the rows themselves (a value it cannot store, a constraint, a limit):
     * trying again cannot help. Anything else (a lost connection, a server shutting down, a serialization
     * conflict) is an outage: the same results are tried again.
     */
    static boolean refusedTheRow(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
            }
            if (c instanceof IllegalArgumentException) {
                return true; // a value our own writer cannot bind
            }
        }
        return false;
    }

    /** Whether the failure came from the database at all (else it is a fault of the coordinator). */
    static boolean fromTheDatabase(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    private static String nulIn(JsonNode node, String path) {
        if (node.isTextual()) {
            return hasNul(node.textValue()) ? path : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulIn(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String name = printable(f.getKey());
                if (hasNul(f.getKey())) {
                    return path + "." + name;
                }
                String found = nulIn(f.getValue(), path + "." + name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static boolean hasNul(String s) {
        return s != null && s.indexOf('\0') >= 0;
    }

    /** A value quoted in a reason: control characters shown escaped, at most 80 characters. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < s.length() && b.length() < 80; i++) {
            char ch = s.charAt(i);
            b.append(ch < 0x20 || ch == 0x7f ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return i < s.length() ? b + "..." : b.toString();
    }
}
