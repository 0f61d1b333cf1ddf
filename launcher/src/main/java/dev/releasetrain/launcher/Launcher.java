package dev.releasetrain.launcher;

import dev.releasetrain.cli.ApiCommands;
import dev.releasetrain.launcher.bench.Bench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code release-train}: the command people type ({@code ./release-train}). It starts the embedded stack
 * ({@code demo}, {@code up}, {@code bench}) and offers the REST client's commands of the cli module as they are.
 */
@Command(name = "release-train", mixinStandardHelpOptions = true, version = "release-train 0.1.0",
        description = "Release Train: a release orchestrator for the monthly release runbook.",
        subcommands = {Launcher.DemoCommand.class, Launcher.UpCommand.class,
                ApiCommands.Start.class, ApiCommands.Plan.class, ApiCommands.Status.class, ApiCommands.Watch.class, ApiCommands.Timeline.class,
                ApiCommands.Retry.class, ApiCommands.Approve.class, ApiCommands.Cancel.class, ApiCommands.Calendar.class, Bench.Command.class, Chaos.Command.class,
                CommandLine.HelpCommand.class})
public final class Launcher implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Launcher()).execute(args));
    }

    // Not mixinStandardHelpOptions: its --version would clash with the release's --version (and drop --help).
    @Command(name = "demo",
            description = "Run one whole release end to end on the embedded stack (with --patch, then its patch release), then stop everything.",
            footer = "%nExit codes: 0 the release completed and every effect is in the sandbox, 1 it did not "
                    + "(the run directory with the logs is kept and printed), 2 bad options.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;
        @Option(names = "--version", defaultValue = "1.29.0", description = "Version to release (default ${DEFAULT-VALUE}).")
        String version;
        @Option(names = "--fail-once", paramLabel = "STEP[,STEP...]", description = "Make the stand-in behind each STEP refuse "
                + "that step's own call once (e.g. notify.announce-code-freeze, git.bump-chart, deploy.verify-playground, "
                + "cdn.invalidate); the demo shows the failure, retries the step over REST, and the timeline shows both attempts. "
                + "An unknown step exits 2 with the list of valid ones.")
        String failOnce;
        @Option(names = "--keep", description = "Leave the stack running after the release (Ctrl-C stops it) and keep its run directory.")
        boolean keep;
        @Option(names = "--runbook", defaultValue = Demo.RUNBOOK,
                description = "The plan minor releases run (default ${DEFAULT-VALUE}; monthly-minor for the whole monthly runbook).")
        String runbook;
        @Option(names = "--patch", description = "After the monthly release X.Y.Z, merge a fix labelled release-X.Y.(Z+1) to master "
                + "and run patch release X.Y.(Z+1) from tag X.Y.Z; exit 0 only if every effect of both is in the sandbox.")
        boolean patch;

        @Override
        public Integer call() throws Exception {
            return new Demo(System.out, version, failOnce, keep, runbook, patch).run();
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the stack without starting a release; Ctrl-C stops it.")
    static final class UpCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (Stack stack = Stack.start(System.out::println, Demo.RUNBOOK)) {
                System.out.println("coordinator: " + stack.coordinatorUrl() + "   (POST /releases {\"version\":\"1.29.0\"})");
                System.out.println("sandbox admin: " + stack.sandbox().adminUrl());
                System.out.println("API tokens (Authorization: Bearer ...): " + stack.apiTokensFile());
                System.out.println("web console: " + stack.coordinatorUrl() + "/ (sign in with one of those tokens)");
                System.out.println("CLI, from another shell: export RELEASE_TRAIN_URL=" + stack.coordinatorUrl()
                        + " RELEASE_TRAIN_TOKEN=$(grep ^alice: " + stack.apiTokensFile() + " | cut -d: -f3)");
                System.out.println("Ctrl-C stops everything");
                Thread.currentThread().join();
            }
            return 0;
        }
    }
}
