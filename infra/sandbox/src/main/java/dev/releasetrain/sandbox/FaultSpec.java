package dev.releasetrain.sandbox;

import java.util.Locale;

/**
 * A fault to inject into a stand-in: its next {@code count} calls that match the filters are delayed by
 * {@code delayMs}, then fail with HTTP {@code status} (0: not failed, only delayed). Filters left null match
 * every call: {@code method} (GET, POST...), {@code pathPrefix} (the path without the query starts with it; ending
 * in {@code $}: the path with its query is exactly the rest),
 * {@code pathContains} (the path with its query, raw or URL-decoded, contains it), {@code bodyContains} (the
 * request body, raw or URL-decoded, contains it).
 */
public record FaultSpec(int count, int status, long delayMs, String method, String pathPrefix, String pathContains,
                        String bodyContains) {

    public FaultSpec {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        if (status != 0 && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP status (100-599): " + status);
        }
        if (delayMs < 0 || delayMs > 600_000) {
            throw new IllegalArgumentException("delayMs must be between 0 and 600000: " + delayMs);
        }
        if (status == 0 && delayMs == 0) {
            throw new IllegalArgumentException("status or delayMs: a fault needs a failure status, a delay, or both");
        }
        method = blankToNull(method);
        method = method == null ? null : method.toUpperCase(Locale.ROOT);
        pathPrefix = blankToNull(pathPrefix);
        pathContains = blankToNull(pathContains);
        bodyContains = blankToNull(bodyContains);
    }

    /** Fails the next {@code count} calls, whatever they are, with {@code status}. */
    public static FaultSpec failNext(int count, int status) {
        return new FaultSpec(count, status, 0, null, null, null, null);
    }

    /** Delays the next {@code count} calls by {@code delayMs}, then serves them. */
    public static FaultSpec delayNext(int count, long delayMs) {
        return new FaultSpec(count, 0, delayMs, null, null, null, null);
    }

    public FaultSpec withMethod(String m) {
        return new FaultSpec(count, status, delayMs, m, pathPrefix, pathContains, bodyContains);
    }

    public FaultSpec withPathPrefix(String p) {
        return new FaultSpec(count, status, delayMs, method, p, pathContains, bodyContains);
    }

    public FaultSpec withPathContains(String p) {
        return new FaultSpec(count, status, delayMs, method, pathPrefix, p, bodyContains);
    }

    public FaultSpec withBodyContains(String b) {
        return new FaultSpec(count, status, delayMs, method, pathPrefix, pathContains, b);
    }

    boolean needsBody() {
        return bodyContains != null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
