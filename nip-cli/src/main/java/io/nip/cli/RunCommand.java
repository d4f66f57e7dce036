package io.nip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nip run <exercise>}: runs one of the tutorial's exercise jobs over topics that exist
 * already (written by {@code nip load} or any producer), without loading input, so that it can be
 * stopped or killed and started again over the same topics and resume: {@code analytics}
 * (exercise 1) and {@code fraud} (exercise 3); {@code sessions} will sit beside them.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run an exercise job over existing Kafka topics; it resumes where its group left off.",
        "Exercises: analytics (exercise 1), fraud (exercise 3). sessions is not available yet."},
    subcommands = {RunAnalyticsCommand.class, RunFraudCommand.class})
public final class RunCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /** Without an exercise name: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing exercise, e.g. 'nip run analytics'");
  }
}
