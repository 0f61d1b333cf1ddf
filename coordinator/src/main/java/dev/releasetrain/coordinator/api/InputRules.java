package dev.releasetrain.coordinator.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The limits of what the API accepts in a field, checked before anything is read or appended: a refusal is
 * 400 naming the field. Text is refused when it is too long, holds a control character (Unicode category Cc:
 * U+0000 to U+001F, U+007F to U+009F) or is not valid Unicode (a lone surrogate). Free text written for
 * people, a reason or an approval's note, may span lines: there newline and tab are allowed. Everything else
 * (names, versions, links, step parameters) is one line. The body as a whole is limited by
 * {@code quarkus.http.limits.max-body-size} ({@link BodySizeLimit}).
 */
public final class InputRules {
    /** A reason (retry, cancel) or an approval's note: free text, may span lines. */
    public static final int MAX_TEXT = 2000;
    /** An approval's evidence: a link or a reference, one line. */
    public static final int MAX_EVIDENCE = 2000;
    /** A kind, a runbook, a step or a gate. */
    public static final int MAX_NAME = 128;
    /** How many parameters a retry may edit. */
    public static final int MAX_PARAMS = 32;
    /** A parameter's name: a letter, then letters, digits, '.', '_' or '-'. */
    public static final int MAX_PARAM_NAME = 64;
    public static final int MAX_PARAM_VALUE = 4096;
    static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0," + (MAX_PARAM_NAME - 1) + "}");

    private InputRules() {
    }

    /** Free text for people (a reason, a note): newline and tab allowed. Null passes. */
    public static String text(String field, String value, int max) {
        return check(field, value, max, true);
    }

    /** One line of text (a name, a link, a parameter's value). Null passes. */
    public static String line(String field, String value, int max) {
        return check(field, value, max, false);
    }

    /** The parameters of a retry: names, no nulls, sizes. Null or empty passes. */
    public static void params(Map<String, String> params) {
        if (params == null) {
            return;
        }
        if (params.size() > MAX_PARAMS) {
            throw bad("field 'params' has " + params.size() + " entries; at most " + MAX_PARAMS + " may be edited at once");
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            String key = p.getKey();
            if (key == null || !PARAM_NAME.matcher(key).matches()) {
                throw bad("field 'params': '" + shown(key) + "' is not a parameter name (a letter, then letters, digits, '.', '_' or '-'; at most "
                        + MAX_PARAM_NAME + " characters)");
            }
            if (p.getValue() == null) {
                throw bad("field 'params." + key + "' is null: give the parameter a string value (\"\" for empty)");
            }
            line("params." + key, p.getValue(), MAX_PARAM_VALUE);
        }
    }

    private static String check(String field, String value, int max, boolean multiline) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw bad("field '" + field + "' is too long: " + value.length() + " characters, at most " + max);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\t'))) {
                throw bad("field '" + field + "' holds the control character U+" + String.format("%04X", (int) c) + " at position " + i
                        + (multiline ? ": only newline and tab are allowed" : ": it must be one line of printable text"));
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw bad("field '" + field + "' is not valid Unicode: a lone surrogate U+" + String.format("%04X", (int) c) + " at position " + i);
            }
        }
        return value;
    }

    /** A value quoted in a message: cut short, control characters shown as '?'. */
    static String shown(String value) {
        if (value == null) {
            return "null";
        }
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        StringBuilder sb = new StringBuilder(cut.length());
        cut.chars().forEach(c -> sb.append(Character.isISOControl(c) || Character.isSurrogate((char) c) ? '?' : (char) c));
        return sb.toString();
    }

    static WebApplicationException bad(String message) {
        return ApiError.of(Response.Status.BAD_REQUEST, message);
    }
}
