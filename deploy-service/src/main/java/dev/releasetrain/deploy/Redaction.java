package dev.releasetrain.deploy;

import java.util.regex.Pattern;

/** Keeps credentials out of step reasons and logs: URL user-info, bearer tokens, kubeconfig tokens and keys. */
final class Redaction {

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',]+");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:token|password|client-key-data|client-certificate-data|api[-_]?key)\"?\\s*[:=]\\s*\"?)[^\\s\"',}]+");

    private Redaction() {
    }

    static String url(String url) {
        return url == null ? "" : USER_INFO.matcher(url).replaceAll("$1***@");
    }

    static String text(String text) {
        if (text == null) {
            return "";
        }
        String s = USER_INFO.matcher(text).replaceAll("$1***@");
        s = BEARER.matcher(s).replaceAll("$1***");
        return KEY_VALUE.matcher(s).replaceAll("$1***");
    }
}
