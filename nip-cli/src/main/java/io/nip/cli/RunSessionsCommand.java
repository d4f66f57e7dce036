package io.nip.cli;

import io.nip.examples.sessions.SessionsPipeline;
import io.nip.pipeline.PipelineHandle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code nip run sessions}: exercise 2 ({@link SessionsPipeline}) over an existing input topic with
 * a stable consumer group, so that a run stopped or killed resumes from the group's committed
 * offsets and its state (changelogs, and the RocksDB directory when given). Writes only to Kafka:
 * sessions to {@code sessions-output}, dead letters to {@code user-events-dlq}.
 *
 * <pre>{@code
 * nip run sessions --bootstrap-servers localhost:9092 --group sessions --state-dir /var/nip --guarantee exactly-once
 * }</pre>
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
    description = {
        "Exercise 2 over existing topics: user-events -> strict parse (bad records to user-events-dlq) -> per user,",
        "event-time sessions that more than 30 minutes of inactivity closes (exactly 30 minutes continues one) ->",
        "one JSON line per closed session to sessions-output. A late event within 5 minutes of its session's close",
        "rewrites the session under the same session_id with \"update\":true (a merged session keeps the earliest",
        "id and lists the ids it replaces in superseded_session_ids); later ones are counted. The consumer group is",
        "stable (--group): a run stopped or killed resumes when started again with the same --group and state.",
        "Unbounded (Ctrl-C stops it cleanly) unless --bounded, which closes every open session at the end.",
        "With --guarantee exactly-once, read sessions-output with isolation.level=read_committed.",
        "Prints one line when the job has started and a summary of this run to standard error when it ends.",
        "Exit codes: 0 done (bounded), 1 the run failed, 2 bad arguments, an unusable --bootstrap-servers or state,",
        "or a missing input topic, 130 stopped by Ctrl-C or SIGTERM."})
public final class RunSessionsCommand implements Callable<Integer> {
  /** The default consumer group: the same on every start, so runs resume. */
  static final String DEFAULT_GROUP = "nip-run-sessions";
  /** The first line a run prints once its job has started. */
  static final String STARTED = "nip run sessions: started";

  @Spec
  CommandSpec spec;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() {
    run.resolve(DEFAULT_GROUP, SessionsPipeline.INPUT_TOPIC, SessionsPipeline.OUTPUT_TOPIC, SessionsPipeline.DLQ_TOPIC);
    PrintWriter err = spec.commandLine().getErr();
    try (StateOption st = run.prepare(); ShutdownHandler stops = ShutdownHandler.install()) {
      stops.checkStop();
      SessionsPipeline.Builder b = SessionsPipeline.builder(run.bootstrapServers);
      run.applyTo(b, st);
      SessionsPipeline job = b.build();
      long start = System.nanoTime();
      try (PipelineHandle h = job.start()) {
        err.printf("%s: %s, %s -> %s (dead letters: %s), %s%n", STARTED, run.describe(st.description()),
            run.inputTopic, run.outputTopic, run.dlqTopic, run.bounded ? "bounded" : "unbounded (Ctrl-C stops it)");
        err.flush();
        stops.stage("processing", h::stop, () -> String.format("%,d events read, %,d sessions written",
            job.counters().eventsIn(), job.counters().sessionsOut()));
        h.awaitTermination();
        stops.checkStop();
      }
      SessionsReport.print("nip run sessions: done (this run)", job.counters(), -1,
          Duration.ofNanos(System.nanoTime() - start), err);
      return 0;
    }
  }
}
