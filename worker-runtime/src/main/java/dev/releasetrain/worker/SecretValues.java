package dev.releasetrain.worker;

import java.util.Collection;

/**
 * Secret values a service knows from somewhere other than its configured properties (the token inside a kubeconfig
 * file, a service account's token): a CDI bean of this type adds them to what {@link SecretRedactor} masks.
 */
public interface SecretValues {

    /** The values to mask wherever they appear; blank or short ones are ignored. */
    Collection<String> values();
}
