package dev.releasetrain.coordinator.api;

import jakarta.ws.rs.core.Response;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database out of reach from a fault of the server: then a request is answered 503 with
 * {@code Retry-After}, as nothing was done and the same request may succeed later. Out of reach: no
 * connection could be had (refused, timed out waiting for the pool), or PostgreSQL said so: SQL state class
 * 08 (connection exception), 57P01 to 57P03 (shutting down, cannot connect now), 53300 (too many connections).
 */
public final class DatabaseOutage {
    /** Seconds a client is asked to wait before trying again. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseOutage() {
    }

    public static boolean causes(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300"))) {
                    return true;
                }
                String message = sql.getMessage();
                if (message != null && message.contains("Acquisition timeout")) { // Agroal: no connection in time
                    return true;
                }
            }
        }
        return false;
    }

    /** The exception chain's SQL states and types, for the log (no messages: they may quote parameters). */
    static String summary(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(sb.isEmpty() ? "" : " <- ").append(t.getClass().getSimpleName());
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                sb.append(" [").append(sql.getSQLState()).append(']');
            }
        }
        return sb.toString();
    }

    public static Response response() {
        return Response.fromResponse(ApiError.response(503,
                        "the release log's database is out of reach; nothing was done: try again in a few seconds"))
                .header("Retry-After", RETRY_AFTER_SECONDS).build();
    }
}
