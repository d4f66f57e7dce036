package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.pipeline.PipelineHandle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip run analytics}: exercise 1 ({@link AnalyticsPipeline}) over an existing input topic,
 * with a stable consumer group, so that a run stopped (Ctrl-C) or killed resumes from the group's
 * committed offsets and its state (changelogs, and the RocksDB directory when given) when it is
 * started again with the same {@code --group}, {@code --state-dir} and {@code --instance-id}.
 * Unbounded unless {@code --bounded}. Writes only to Kafka: results to the output topic, dead letters
 * to the dead-letter topic (files are the demo's business: under exactly-once a file could not be
 * part of the job's transactions; read the topics {@code read_committed} instead).
 *
 * <pre>{@code
 * nip run analytics --bootstrap-servers localhost:9092 --group analytics --state-dir /var/nip --guarantee exactly-once
 * }</pre>
 */
@Command(name = "analytics", mixinStandardHelpOptions = true,
    description = {
        "Exercise 1 over existing topics: user-events -> strict parse (bad records to user-events-dlq) -> drop bots",
        "-> 5-minute tumbling windows per user -> analytics-output. Loads nothing (see 'nip load'); the output and",
        "dead-letter topics are created when missing. The consumer group is stable (--group), so a run that was",
        "stopped or killed resumes where the group's last commit left off when started again with the same",
        "--group, --state-dir and --instance-id. Unbounded (Ctrl-C stops it cleanly) unless --bounded, which reads",
        "up to the end offsets taken at start, closes every window and exits.",
        "With --guarantee exactly-once, results, dead letters, state changes and offsets commit in one Kafka",
        "transaction per checkpoint: read analytics-output with isolation.level=read_committed.",
        "Backpressure: --buffer-size N puts a bounded buffer behind each input partition; when it is full,",
        "--overflow block pauses the input (nothing lost), drop-oldest / drop-newest drop records (counted in the",
        "summary, their offsets committed); --rate-limit EVENTS/S (with --burst N) caps the events that reach the",
        "windows.",
        "Prints one line when the job has started and a summary of this run to standard error when it ends.",
        "Exit codes: 0 done (bounded), 1 the run failed, 2 bad arguments, an unusable --bootstrap-servers or state,",
        "or a missing input topic, 130 stopped by Ctrl-C or SIGTERM."})
public final class RunAnalyticsCommand implements Callable<Integer> {
  /** The default consumer group: the same on every start, so runs resume. */
  static final String DEFAULT_GROUP = "nip-run-analytics";
  /** The first line a run prints once its job has started. */
  static final String STARTED = "nip run analytics: started";

  @Spec
  CommandSpec spec;

  @Mixin
  RunOptions run;

  @Option(names = "--input-keyed-by-user",
      description = "the input's record key is user_id (as 'nip load' writes it): windows stay in the source tasks")
  boolean inputKeyedByUser;

  @Mixin
  BackpressureOptions backpressure;

  @Override
  public Integer call() {
    run.resolve(DEFAULT_GROUP, AnalyticsPipeline.INPUT_TOPIC, AnalyticsPipeline.OUTPUT_TOPIC, AnalyticsPipeline.DLQ_TOPIC);
    backpressure.validate();
    PrintWriter err = spec.commandLine().getErr();
    try (StateOption st = run.prepare(); ShutdownHandler stops = ShutdownHandler.install()) {
      stops.checkStop();
      AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(run.bootstrapServers);
      run.applyTo(b, st);
      backpressure.applyTo(b);
      if (inputKeyedByUser) {
        b.inputKeyedByUser();
      }
      AnalyticsPipeline job = b.build();
      long start = System.nanoTime();
      try (PipelineHandle h = job.start()) {
        err.printf("%s: %s, backpressure %s, %s -> %s (dead letters: %s), %s%n", STARTED,
            run.describe(st.description()), backpressure.description(), run.inputTopic, run.outputTopic,
            run.dlqTopic, run.bounded ? "bounded" : "unbounded (Ctrl-C stops it)");
        err.flush();
        stops.stage("processing", h::stop, () -> String.format("%,d events read, %,d windows written",
            job.counters().eventsIn(), job.counters().windowsOut()));
        h.awaitTermination();
        stops.checkStop();
      }
      summary(job, Duration.ofNanos(System.nanoTime() - start), err);
      return 0;
    }
  }

  private void summary(AnalyticsPipeline job, Duration elapsed, PrintWriter err) {
    AnalyticsPipeline.Counters c = job.counters();
    err.println("nip run analytics: done (this run)");
    err.printf("  %-16s %,14d%n", "events in", c.eventsIn());
    if (backpressure.drops()) {
      long dropped = BackpressureOptions.dropped(job.pipeline().config().meterRegistry());
      err.printf("  %-16s %,14d%n", "dropped (buffer)", dropped);
    }
    err.printf("  %-16s %,14d%n", "bots filtered", c.botsFiltered());
    err.printf("  %-16s %,14d%n", "bad records", c.badRecords());
    err.printf("  %-16s %,14d%n", "late events", c.lateEvents());
    err.printf("  %-16s %,14d%n", "windows out", c.windowsOut());
    err.printf("  %-16s %14.3f s%n", "elapsed", elapsed.toNanos() / 1e9);
    err.flush();
  }
}
