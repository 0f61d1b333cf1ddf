package dev.releasetrain.coordinator.security;

import io.restassured.builder.RequestSpecBuilder;
import io.restassured.specification.RequestSpecification;

/** The test profile's people and tokens (application.properties, %test.release-train.auth.tokens). */
public final class TestTokens {
    /** viewer */
    public static final String VERA = "test-token-vera-5f0c1d2e3a4b";
    /** release-manager + approver */
    public static final String ALICE = "test-token-alice-7a8b9c0d1e2f";
    /** approver */
    public static final String BOB = "test-token-bob-3c4d5e6f7a8b";
    /** approver */
    public static final String CAROL = "test-token-carol-9d8e7f6a5b4c";

    /** The token of a person of the test rotation (alice, bob, carol): whoever owns this month's release. */
    public static String of(String name) {
        return switch (name) {
            case "alice" -> ALICE;
            case "bob" -> BOB;
            case "carol" -> CAROL;
            default -> throw new IllegalArgumentException("no test token for " + name);
        };
    }

    private TestTokens() {
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A RestAssured request specification authenticating as the holder of {@code token}. */
    public static RequestSpecification as(String token) {
        return new RequestSpecBuilder().addHeader("Authorization", bearer(token)).build();
    }
}
