package dev.releasetrain.coordinator.calendar;

import dev.releasetrain.coordinator.api.DatabaseOutage;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The secret calendar feed URLs: one per person, for calendar apps, which cannot send a bearer token. A secret
 * is 32 random bytes (base64url, 43 characters); only its SHA-256 is stored ({@code calendar_feed_urls}, V6),
 * so the database never holds a working URL and neither the secret nor anything derived from it that would
 * open the feed reaches a log or an error message. Issuing a URL replaces the person's earlier one.
 */
@ApplicationScoped
public class CalendarFeedUrls {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int SECRET_BYTES = 32;
    /** What an issued secret looks like; anything else is not looked up. */
    static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");

    @Inject
    AgroalDataSource dataSource;

    /** A new secret for {@code person}, replacing (and so revoking) any earlier one. */
    public String issue(String person) {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("insert into calendar_feed_urls (person, secret_sha256) values (?, ?)"
                     + " on conflict (person) do update set secret_sha256 = excluded.secret_sha256, issued_at = now()")) {
            q.setString(1, person);
            q.setBytes(2, sha256(secret));
            q.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot store the calendar feed URL of " + person, e);
        }
        return secret;
    }

    /** Revokes {@code person}'s URL; false when they had none. */
    public boolean revoke(String person) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("delete from calendar_feed_urls where person = ?")) {
            q.setString(1, person);
            return q.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure("cannot revoke the calendar feed URL of " + person, e);
        }
    }

    /** The person a secret was issued to, if it is current. */
    public Optional<String> holder(String secret) {
        if (secret == null || !SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("select person from calendar_feed_urls where secret_sha256 = ?")) {
            q.setBytes(1, sha256(secret));
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("cannot read the calendar feed URLs", e);
        }
    }

    /**
     * The message could quote the statement's parameter (a digest, but still): only the SQL state goes into it,
     * and the driver's exception is kept as the cause only when the database is out of reach (the API then
     * answers 503, logging the chain's states, not its messages).
     */
    private static IllegalStateException failure(String what, SQLException e) {
        IllegalStateException ex = new IllegalStateException(what + " (SQL state " + e.getSQLState() + ")");
        if (DatabaseOutage.causes(e)) {
            ex.initCause(e);
        }
        return ex;
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
