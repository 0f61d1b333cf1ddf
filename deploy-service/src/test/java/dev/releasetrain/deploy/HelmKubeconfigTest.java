package dev.releasetrain.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated kubeconfig and the scratch directory around it leave nothing behind when the bean closes. */
class HelmKubeconfigTest {

    private static HelmKubeconfig bean(String url) {
        HelmKubeconfig k = new HelmKubeconfig();
        k.kubeconfig = Optional.empty();
        k.kubernetesUrl = Optional.of(url);
        k.namespace = "posthog";
        return k;
    }

    @Test
    void closingDeletesTheGeneratedKubeconfigAndItsDirectory() throws Exception {
        HelmKubeconfig k = bean("http://127.0.0.1:6443");
        Path config = k.path().orElseThrow();
        Path values = k.newPrivateFile("values", ".yaml");
        Path chart = k.newDirectory("chart");
        Files.writeString(chart.resolve("Chart.yaml"), "name: x\n");
        Path dir = config.getParent();
        assertTrue(dir.getFileName().toString().startsWith("release-train-kube"), dir.toString());
        assertTrue(Files.readString(config).contains("server: http://127.0.0.1:6443"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertEquals(dir, values.getParent());

        k.close();

        assertFalse(Files.exists(dir), "left behind: " + dir);
    }

    @Test
    void aConfiguredKubeconfigIsUsedAsItIsAndNothingIsCreated() {
        HelmKubeconfig k = bean("");
        k.kubeconfig = Optional.of("/etc/kube/config");
        assertEquals(Path.of("/etc/kube/config"), k.path().orElseThrow());
        k.close();
    }

    @Test
    void directoriesOfKilledProcessesAreSweptAndLiveOnesKept(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path orphan = Files.createDirectory(tmp.resolve(HelmKubeconfig.PREFIX + "1"));
        Files.writeString(orphan.resolve("owner"), Long.toString(gone.pid()));
        Files.writeString(orphan.resolve("config"), "clusters: []");
        Path live = Files.createDirectory(tmp.resolve(HelmKubeconfig.PREFIX + "2"));
        Files.writeString(live.resolve("owner"), Long.toString(ProcessHandle.current().pid()));
        Path unknown = Files.createDirectory(tmp.resolve(HelmKubeconfig.PREFIX + "3")); // no owner: not ours to judge

        HelmKubeconfig.sweepOrphans(tmp);

        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(live));
        assertTrue(Files.exists(unknown));
    }
}
