package dev.releasetrain.local;

import dev.releasetrain.protocol.Topics;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/**
 * One broker and one PostgreSQL per test JVM, shared by every Quarkus test resource that asks:
 * Quarkus restarts the app (and its test resources) for every test profile, and a broker start
 * costs seconds. They stop in a shutdown hook when the test JVM exits (surefire ends its forks
 * with System.exit). Tests sharing them must not assume empty topics or tables (use fresh
 * release ids).
 *
 * <p>Quarkus may load test resources in a class loader of its own per app start; the instances
 * therefore live in this class as loaded by the system class loader (the test classpath), reached
 * reflectively with JDK types only, so a second class loader never starts a second broker.
 */
public final class SharedTestInfra {
    private static EmbeddedKafka kafka;
    private static LocalPostgres postgres;
    private static boolean hookRegistered;

    private SharedTestInfra() {
    }

    /** Bootstrap servers of the shared broker (or the external one), every Release Train topic created. */
    static String kafkaBootstrapServers() {
        return (String) viaSystemLoader("startKafka");
    }

    /** JDBC URL, user and password of the shared PostgreSQL. */
    @SuppressWarnings("unchecked")
    static List<String> postgres() {
        return (List<String>) viaSystemLoader("startPostgres");
    }

    private static Object viaSystemLoader(String method) {
        Class<?> shared;
        try {
            shared = Class.forName(SharedTestInfra.class.getName(), true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            shared = SharedTestInfra.class; // not on the system class path: share within this loader
        }
        // Kafka's broker and clients instantiate their plugins through the context class loader; under a
        // Quarkus test that is the app's loader, which holds other copies of the Kafka classes.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(shared.getClassLoader());
        try {
            return shared.getMethod(method).invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach " + shared + "." + method, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Public for the reflective call only. */
    public static synchronized String startKafka() {
        var external = LocalInfra.externalKafka();
        if (external.isPresent()) {
            EmbeddedKafka.createTopics(external.get(), Topics.all(), 3);
            return external.get();
        }
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
            kafka.createTopics(Topics.all(), 3);
            registerHook();
        }
        return kafka.bootstrapServers();
    }

    /** Public for the reflective call only. */
    public static synchronized List<String> startPostgres() {
        if (postgres == null) {
            postgres = LocalPostgres.start();
            registerHook();
        }
        return List.of(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }

    private static void registerHook() {
        if (hookRegistered) {
            return;
        }
        hookRegistered = true;
        Runtime.getRuntime().addShutdownHook(new Thread(SharedTestInfra::stopAll, "release-train-test-infra-stop"));
    }

    private static synchronized void stopAll() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
