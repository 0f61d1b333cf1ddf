package dev.releasetrain.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code release-train} as a REST client only: the coordinator's API as commands, for a machine that talks to a
 * running coordinator. The launcher ({@code ./release-train}) offers these same commands next to demo, up and bench.
 * {@code generate-completion} prints a bash/zsh completion script ({@code source <(release-train generate-completion)}).
 */
@Command(name = "release-train", mixinStandardHelpOptions = true, version = "release-train 0.1.0",
        description = "Release Train: a release orchestrator for the monthly release runbook (REST client).",
        subcommands = {ApiCommands.Start.class, ApiCommands.Plan.class, ApiCommands.Status.class, ApiCommands.Watch.class, ApiCommands.Timeline.class,
                ApiCommands.Retry.class, ApiCommands.Approve.class, ApiCommands.Cancel.class, ApiCommands.Calendar.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class})
public final class ReleaseTrain implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return ApiCommands.USAGE;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReleaseTrain()).execute(args));
    }
}
