package dev.releasetrain.worker.testing;

import dev.releasetrain.local.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * {@link KafkaTestResource} started with the system class loader as the thread's context class loader.
 * The shared broker lives in the system class loader, but Kafka loads some of its plugins (the share-group
 * state persister) through the context class loader, which is Quarkus's own when a test resource starts:
 * the broker then fails with {@code NoSuchMethodException: DefaultStatePersister.<init>(PersisterStateManager)}.
 * Drop this wrapper once local-infra sets the context class loader itself.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {
    private final KafkaTestResource delegate = new KafkaTestResource();

    @Override
    public Map<String, String> start() {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        try {
            return delegate.start();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Override
    public void stop() {
        delegate.stop();
    }
}
