package dev.releasetrain.coordinator.security;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiTokensTest {
    static final String ALICE = "alice-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdef";
    static final String VERA = "vera-token-0123456789abcdef";

    @Test
    void aTokenNamesItsHolderWithTheirRolesAndTheImpliedViewerRole() {
        ApiTokens t = ApiTokens.parse(List.of("alice:release-manager+approver:" + ALICE, " bob : approver : " + BOB,
                "vera:viewer:" + VERA, ""));
        assertEquals(3, t.size());
        assertEquals(new ApiTokens.Holder("alice", Set.of(Roles.RELEASE_MANAGER, Roles.APPROVER, Roles.VIEWER)),
                t.holderOf(ALICE).orElseThrow());
        assertEquals(new ApiTokens.Holder("bob", Set.of(Roles.APPROVER, Roles.VIEWER)), t.holderOf(BOB).orElseThrow());
        assertEquals(new ApiTokens.Holder("vera", Set.of(Roles.VIEWER)), t.holderOf(VERA).orElseThrow());
        assertTrue(t.holderOf(ALICE + "x").isEmpty());
        assertTrue(t.holderOf(ALICE.substring(1)).isEmpty());
        assertTrue(t.holderOf("").isEmpty());
        assertTrue(t.holderOf(null).isEmpty());
        assertTrue(ApiTokens.parse(List.of()).isEmpty());
    }

    @Test
    void aTokenMayContainColonsAndPlusSigns() {
        String token = "a:b+c/d=e:f0123456789";
        assertEquals("carol", ApiTokens.parse(List.of("carol:viewer:" + token)).holderOf(token).orElseThrow().name());
    }

    @Test
    void badEntriesAreRefusedNamingTheKeyAndThePersonButNeverTheToken() {
        String secret = "s3cr3t-t0k3n-value-xyz";
        List<List<String>> bad = List.of(
                List.of("alice:" + secret),
                List.of(":viewer:" + secret),
                List.of("alice:root:" + secret),
                List.of("alice:viewer:short"),
                List.of("alice:viewer:" + secret, "alice:approver:" + secret + "2"),
                List.of("alice:viewer:" + secret, "bob:approver:" + secret));
        List<String> expected = List.of(
                "release-train.auth.tokens: entry 1 must be name:role1+role2:token",
                "release-train.auth.tokens: entry 1 has no name (name:role1+role2:token)",
                "release-train.auth.tokens: entry 1 (alice): unknown role 'root' (known: viewer, release-manager, approver)",
                "release-train.auth.tokens: entry 1 (alice): the token must be at least 16 characters",
                "release-train.auth.tokens: entry 2 (alice): alice has more than one entry",
                "release-train.auth.tokens: entry 2 (bob): the same token is also given to alice");
        for (int i = 0; i < bad.size(); i++) {
            List<String> specs = bad.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiTokens.parse(specs));
            assertEquals(expected.get(i), e.getMessage());
            assertFalse(e.getMessage().contains(secret));
            assertFalse(e.getMessage().contains("short"));
        }
    }

    @Test
    void onlyBearerAuthorizationHeadersCarryAToken() {
        assertEquals("abc", StaticTokenAuthenticationMechanism.bearerToken("Bearer abc"));
        assertEquals("abc", StaticTokenAuthenticationMechanism.bearerToken("bearer  abc "));
        assertEquals(null, StaticTokenAuthenticationMechanism.bearerToken("Basic YWxpY2U6cHc="));
        assertEquals(null, StaticTokenAuthenticationMechanism.bearerToken("Bearer "));
        assertEquals(null, StaticTokenAuthenticationMechanism.bearerToken("Bearerabc"));
        assertEquals(null, StaticTokenAuthenticationMechanism.bearerToken(null));
    }
}
