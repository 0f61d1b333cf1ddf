package dev.releasetrain.git;

import org.eclipse.jgit.transport.URIish;

import java.net.URISyntaxException;

/** Repository URLs as they may appear in reasons and logs: without any credentials they carry. */
final class RepositoryUrls {
    private RepositoryUrls() {
    }

    static String display(String url) {
        try {
            return new URIish(url).setUser(null).setPass(null).toString();
        } catch (URISyntaxException e) {
            return "(unparseable repository URL)";
        }
    }
}
