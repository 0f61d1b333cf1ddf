package dev.releasetrain.coordinator.api;

import io.quarkus.security.Authenticated;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;

/**
 * Completes the OpenAPI document from the code itself, so it cannot drift from it: each operation says which roles
 * may call it (from its {@code @RolesAllowed}, {@code @Authenticated} or {@code @PermitAll}, on the method or its
 * class), in its description and as {@code x-roles}; every error response has the API's error body
 * ({@link ApiError}). Operation ids name the resource class and method ({@code ReleaseResource_start}).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiDocument implements OASFilter {
    static final String ERROR_SCHEMA = "ApiError";

    @Override
    public Operation filterOperation(Operation operation) {
        String id = operation.getOperationId();
        if (id == null || id.indexOf('_') < 0) {
            return operation;
        }
        String className = id.substring(0, id.lastIndexOf('_'));
        String methodName = id.substring(id.lastIndexOf('_') + 1);
        Method method = resourceMethod(className, methodName);
        if (method != null) {
            List<String> roles = roles(method);
            operation.addExtension("x-roles", roles);
            String who = roles.isEmpty() ? "No token needed." : roles.equals(List.of("authenticated"))
                    ? "Any signed-in caller." : "Roles: " + String.join(", ", roles) + ".";
            String description = operation.getDescription();
            operation.setDescription(description == null || description.isBlank() ? who : description + "\n\n" + who);
        }
        operation.setOperationId(className.substring(className.lastIndexOf('.') + 1) + "_" + methodName);
        if (operation.getResponses() != null && operation.getResponses().getAPIResponses() != null) {
            for (Map.Entry<String, APIResponse> r : operation.getResponses().getAPIResponses().entrySet()) {
                if (isError(r.getKey()) && (r.getValue().getContent() == null || r.getValue().getContent().getMediaTypes() == null
                        || r.getValue().getContent().getMediaTypes().isEmpty())) {
                    r.getValue().setContent(errorBody());
                }
            }
        }
        return operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        if (components.getSchemas() == null || !components.getSchemas().containsKey(ERROR_SCHEMA)) {
            components.addSchema(ERROR_SCHEMA, OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                    .description("Every refused request: the HTTP status, its reason phrase and a message naming the field or the rule")
                    .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).examples(List.of(404)))
                    .addProperty("error", OASFactory.createSchema().addType(Schema.SchemaType.STRING).examples(List.of("Not Found")))
                    .addProperty("message", OASFactory.createSchema().addType(Schema.SchemaType.STRING).examples(List.of("no release 9.9.9")))
                    .required(List.of("status", "error", "message")));
        }
    }

    private static boolean isError(String code) {
        return code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5');
    }

    private static Content errorBody() {
        return OASFactory.createContent().addMediaType("application/json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA)));
    }

    /** The JAX-RS method (annotated with an HTTP method) of that name; null if the class cannot be read here. */
    private static Method resourceMethod(String className, String methodName) {
        try {
            Class<?> type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
            for (Method m : type.getDeclaredMethods()) {
                if (m.getName().equals(methodName) && (m.isAnnotationPresent(GET.class) || m.isAnnotationPresent(POST.class)
                        || m.isAnnotationPresent(DELETE.class) || m.isAnnotationPresent(PUT.class) || m.isAnnotationPresent(HEAD.class))) {
                    return m;
                }
            }
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** The roles that may call the method: the method's annotation, else its class's; none for {@code @PermitAll}. */
    static List<String> roles(Method method) {
        List<String> own = rolesOf(method.getAnnotation(RolesAllowed.class), method.isAnnotationPresent(Authenticated.class),
                method.isAnnotationPresent(PermitAll.class));
        if (own != null) {
            return own;
        }
        Class<?> type = method.getDeclaringClass();
        List<String> inherited = rolesOf(type.getAnnotation(RolesAllowed.class), type.isAnnotationPresent(Authenticated.class),
                type.isAnnotationPresent(PermitAll.class));
        return inherited != null ? inherited : List.of("authenticated");
    }

    private static List<String> rolesOf(RolesAllowed allowed, boolean authenticated, boolean permitAll) {
        if (allowed != null) {
            return List.of(allowed.value());
        }
        if (authenticated) {
            return List.of("authenticated");
        }
        return permitAll ? List.of() : null;
    }
}
