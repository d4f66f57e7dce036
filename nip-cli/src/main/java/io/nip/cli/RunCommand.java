package io.nip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nip run <exercise>}: runs one of the tutorial's exercise jobs over topics that exist
 * already (written by {@code nip load} or any producer), without loading input, so that it can be
 * stopped or killed and started again over the same topics and resume: {@code analytics}
 * (exercise 1), {@code sessions} (exercise 2) and {@code fraud} (exercise 3).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run an exercise job over existing Kafka topics; it resumes where its group left off.",
        "Exercises: analytics (exercise 1), sessions (exercise 2), fraud (exercise 3)."},
    subcommands = {RunAnalyticsCommand.class, RunSessionsCommand.class, RunFraudCommand.class})
public final class RunCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /** Without an exercise name: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing exercise, e.g. 'nip run analytics'");
  }
}
