package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document on {@code /q/openapi} against the coordinator's JAX-RS resources, found by reflection: every
 * endpoint is in it, with the roles that may call it, a schema for each answer that has a body, and the API's error
 * body on every error response. Swagger UI is served under the console's Content-Security-Policy.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class OpenApiDocumentTest {
    private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(GET.class, "get", POST.class, "post",
            DELETE.class, "delete", PUT.class, "put", HEAD.class, "head");

    record Endpoint(String path, String verb, Method method) {
        @Override
        public String toString() {
            return verb.toUpperCase() + " " + path + " (" + method.getDeclaringClass().getSimpleName() + "#" + method.getName() + ")";
        }
    }

    /** Every resource method of the coordinator's production classes, with its full path. */
    static List<Endpoint> endpoints() {
        List<Endpoint> found = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.releasetrain.coordinator")) {
            if (!c.isAnnotatedWith(Path.class)) {
                continue;
            }
            Class<?> type = c.reflect();
            String base = type.getAnnotation(Path.class).value();
            for (Method m : type.getDeclaredMethods()) {
                for (Map.Entry<Class<? extends Annotation>, String> verb : VERBS.entrySet()) {
                    if (m.isAnnotationPresent(verb.getKey())) {
                        Path sub = m.getAnnotation(Path.class);
                        found.add(new Endpoint(join(base, sub == null ? "" : sub.value()), verb.getValue(), m));
                    }
                }
            }
        }
        return found;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Test
    void theDocumentListsEveryEndpointWithItsRolesSchemasAndErrorBodies() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
        List<Endpoint> endpoints = endpoints();
        assertTrue(endpoints.size() >= 16, "the resources were found: " + endpoints);
        TreeSet<String> missing = new TreeSet<>();
        for (Endpoint e : endpoints) {
            JsonNode op = doc.path("paths").path(e.path()).path(e.verb());
            if (op.isMissingNode()) {
                missing.add(e.toString());
                continue;
            }
            assertTrue(op.path("x-roles").isArray(), e + " names its roles");
            assertEquals(ApiDocument.roles(e.method()), rolesOf(op), e + ": the roles of its annotations");
            assertFalse(op.path("summary").asText().isBlank(), e + " has a summary");
            JsonNode responses = op.path("responses");
            assertTrue(responses.size() > 0, e + " has responses");
            responses.fields().forEachRemaining(r -> {
                int code = Integer.parseInt(r.getKey());
                if (code >= 400) {
                    assertEquals("#/components/schemas/" + ApiDocument.ERROR_SCHEMA,
                            r.getValue().path("content").path("application/json").path("schema").path("$ref").asText(),
                            e + " " + code + " answers the API's error body");
                } else if (code != 204 && !(code >= 300 && code < 400)) { // a redirect has no body
                    assertTrue(r.getValue().path("content").size() > 0, e + " " + code + " has a schema of its body");
                }
            });
            if (!rolesOf(op).isEmpty()) {
                assertTrue(responses.has("401"), e + " documents 401");
            }
            if (e.verb().equals("post") && e.method().getParameterCount() > 0
                    && e.method().isAnnotationPresent(jakarta.ws.rs.Consumes.class)) {
                assertNotNull(op.path("requestBody").path("content").path("application/json").get("schema"), e + " has a request schema");
            }
        }
        assertTrue(missing.isEmpty(), "endpoints missing from the OpenAPI document: " + missing);
        JsonNode error = doc.path("components").path("schemas").path(ApiDocument.ERROR_SCHEMA).path("properties");
        assertTrue(error.has("status") && error.has("error") && error.has("message"), "the error body's fields");
        assertEquals("release-manager", doc.path("paths").path("/releases").path("post").path("x-roles").get(0).asText());
        assertTrue(doc.path("components").path("schemas").has("ReleaseView"), "the release's schema");
    }

    @Test
    void swaggerUiLoadsUnderTheContentSecurityPolicy() {
        String page = given().get("/q/swagger-ui/").then().statusCode(200).extract().asString();
        String csp = given().get("/q/swagger-ui/").then().extract().header("Content-Security-Policy");
        assertTrue(page.contains("swagger-ui"), "the Swagger UI page");
        assertNotNull(csp, "a policy applies");
        assertTrue(csp.contains("frame-ancestors 'none'") && !csp.contains("http"), "no framing, no third-party origin: " + csp);
        assertFalse(given().get("/").then().extract().header("Content-Security-Policy").contains("unsafe-inline"),
                "the console's pages keep a policy with no inline script");
        assertFalse(page.matches("(?s).*<script>(?!\\s*</script>).*") && !csp.contains("'unsafe-inline'"),
                "no inline script is blocked by the policy: " + csp);
    }

    private static List<String> rolesOf(JsonNode op) {
        List<String> roles = new ArrayList<>();
        op.path("x-roles").forEach(r -> roles.add(r.asText()));
        return roles;
    }
}
