package dev.releasetrain.coordinator.security;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** Every log record of the application while it is installed on the root logger, as formatted text (tests that check no secret is logged). */
public final class LogCapture extends Handler {
    public final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void publish(LogRecord r) {
        String message = r.getMessage();
        if (r.getParameters() != null && message != null) {
            try {
                message = message.contains("%") ? String.format(message, r.getParameters())
                        : java.text.MessageFormat.format(message, r.getParameters());
            } catch (RuntimeException e) {
                message = message + " " + java.util.Arrays.toString(r.getParameters());
            }
        }
        lines.add(r.getLoggerName() + " " + message + (r.getThrown() == null ? "" : " " + r.getThrown()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
