package dev.releasetrain.git;

import dev.releasetrain.sandbox.Sandbox;
import dev.releasetrain.sandbox.SandboxTestResource;
import dev.releasetrain.sandbox.SandboxWiring;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Starts the sandbox and points git-service at its seeded bare repositories and its GitHub stand-in ({@link SandboxWiring#git}). */
public class GitSandboxResource extends SandboxTestResource {

    @Override
    protected Map<String, String> config(Sandbox sandbox, Path dir) {
        Map<String, String> config = new LinkedHashMap<>(SandboxWiring.git(sandbox).properties());
        config.put("release-train.git.cache-dir", dir.resolve("clones").toString());
        return config;
    }
}
