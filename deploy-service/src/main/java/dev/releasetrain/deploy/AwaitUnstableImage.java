package dev.releasetrain.deploy;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code deploy.await-unstable-image}: waits for {@code release-[v]-unstable} (param {@code tags}). */
@ApplicationScoped
public class AwaitUnstableImage extends AwaitImages {

    @Override
    public String stepId() {
        return "deploy.await-unstable-image";
    }
}
