package dev.releasetrain.launcher;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One started {@link Stack} (minor releases running {@link Demo#RUNBOOK}) for every test class of the run that asks
 * for it as a parameter ({@code @BeforeAll static void start(Stack stack)}): started by the first, kept in JUnit's root
 * store and closed once when the run ends. A stack takes tens of seconds to start; the classes that share it take
 * their turn by {@code @Order} (junit-platform.properties) and each uses release versions of its own.
 */
final class SharedStack implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedStack.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Stack.class, k -> start(), Stack.class);
    }

    private static Stack start() {
        try {
            return Stack.start(System.out::println, Demo.RUNBOOK);
        } catch (Exception e) {
            throw new IllegalStateException("the shared stack did not start", e);
        }
    }
}
