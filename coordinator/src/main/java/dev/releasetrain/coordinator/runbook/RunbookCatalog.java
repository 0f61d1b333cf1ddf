package dev.releasetrain.coordinator.runbook;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The runbooks this coordinator can start: the built-in ones (monthly-minor, patch, proving) and
 * any file a deployment points at ({@code release-train.runbooks.files}; a file's runbook replaces a
 * built-in of the same name). Every definition is parsed and validated at start-up: a broken one
 * stops the coordinator with a message naming the file, the step and the problem.
 */
@ApplicationScoped
@Startup
public class RunbookCatalog {
    private static final Logger LOG = Logger.getLogger(RunbookCatalog.class);
    static final List<String> BUILT_IN = List.of("monthly-minor", "patch", "proving");

    private final Map<String, Runbook> runbooks = new LinkedHashMap<>();
    private final String minor;
    private final String patch;

    public RunbookCatalog(@ConfigProperty(name = "release-train.runbooks.files") Optional<List<String>> files,
                          @ConfigProperty(name = "release-train.runbook.minor", defaultValue = "monthly-minor") String minor,
                          @ConfigProperty(name = "release-train.runbook.patch", defaultValue = "patch") String patch) {
        for (String name : BUILT_IN) {
            String resource = "runbooks/" + name + ".yaml";
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("built-in runbook " + resource + " is missing from the coordinator");
                }
                add(RunbookParser.parse("built-in " + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String file : files.orElse(List.of())) {
            Path path = Path.of(file.trim());
            try {
                add(RunbookParser.parse(path.toString(), Files.readString(path)));
            } catch (IOException e) {
                throw new Runbook.InvalidRunbook("runbook file '" + path + "'", "-", "cannot be read: " + e.getMessage());
            }
        }
        for (String[] use : new String[][]{{"release-train.runbook.minor", minor, Runbook.MINOR}, {"release-train.runbook.patch", patch, Runbook.PATCH}}) {
            Runbook r = runbooks.get(use[1]);
            if (r == null) {
                throw new IllegalStateException(use[0] + " names runbook '" + use[1] + "', which is not defined (known: "
                        + String.join(", ", runbooks.keySet()) + ")");
            }
            // a proving plan may stand in for either (a stack that only proves itself); its runs are proving runs
            if (!r.kind().equals(use[2]) && !r.proving()) {
                throw new IllegalStateException(use[0] + " names runbook '" + use[1] + "', a plan for " + r.kind()
                        + " releases; it must name a " + use[2] + " (or proving) plan");
            }
        }
        this.minor = minor;
        this.patch = patch;
        LOG.infof("runbooks: %s (minor releases run '%s', patches '%s')", String.join(", ", runbooks.keySet()), minor, patch);
    }

    private void add(Runbook r) {
        runbooks.put(r.name(), r);
    }

    public Optional<Runbook> named(String name) {
        return Optional.ofNullable(runbooks.get(name));
    }

    /** The runbook a release of this kind runs unless the request names one. */
    public Runbook forKind(String kind) {
        return runbooks.get(Runbook.PATCH.equals(kind) ? patch : minor);
    }

    public Set<String> names() {
        return runbooks.keySet();
    }
}
