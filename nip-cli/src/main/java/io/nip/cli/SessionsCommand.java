package io.nip.cli;

import io.nip.event.Headers;
import io.nip.examples.sessions.SessionSummary;
import io.nip.examples.sessions.SessionsPipeline;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip demo sessions}: the tutorial's exercise 2 on Kafka (embedded broker unless
 * {@code --bootstrap-servers} is given) over generated events or a JSON-lines file; prints a
 * summary to standard error. The input is loaded as for {@code nip demo analytics}
 * ({@link AnalyticsDemo#withInput}); under exactly-once the files are read back
 * {@code read_committed} from the topics after the job.
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
    description = {
        "Exercise 2: user-events -> strict parse (bad lines to user-events-dlq, as in exercise 1; bots are kept)",
        "-> per user, event-time sessions that more than 30 minutes of inactivity closes (exactly 30 minutes",
        "continues one) -> sessions-output, one JSON line per closed session: user_id, session_id, session_start,",
        "session_end, duration_seconds, event_count, first_event_type, last_event_type, journey. At the end of the",
        "input every open session closes. A late event within 5 minutes of its session's close rewrites the",
        "session under the same session_id with \"update\":true; later ones are counted.",
        "Without --bootstrap-servers an embedded Kafka broker is started; without --input, events are generated.",
        "Prints events in, bad lines, sessions out, late updates, elapsed and events/s to standard error.",
        "Exit codes: 0 done, 1 the run failed, 2 bad arguments or files, 3 done, but every input line was bad."})
public final class SessionsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  DemoInput demo;

  @Option(names = GuaranteeOption.NAME, paramLabel = GuaranteeOption.VALUES,
      description = "what the output promises after a failure (default: at-least-once); with exactly-once the "
          + "files are read back read_committed from the topics after the job")
  String guarantee;

  /** The job's run time, set when it ended. */
  private Duration elapsed = Duration.ZERO;

  @Override
  public Integer call() {
    validate();
    Guarantee g = GuaranteeOption.parse(guarantee);
    BootstrapCheck.require(demo.bootstrapServers);
    PrintWriter err = spec.commandLine().getErr();
    try (Outputs<SessionSummary> files = Outputs.open(demo.output, SessionSummary.SERDE, demo.dlqOutput, null)) {
      return AnalyticsDemo.withInput(demo.bootstrapServers, SessionsPipeline.OUTPUT_TOPIC, demo.input, demo.events,
          demo.seed, files.deadLetters(), (servers, loaded, loadTime, stops) -> {
            SessionsPipeline job = process(servers, g, files, stops);
            return verdict(job, loaded, err);
          });
    }
  }

  private SessionsPipeline process(String servers, Guarantee g, Outputs<SessionSummary> files, ShutdownHandler stops) {
    boolean exactlyOnce = g == Guarantee.EXACTLY_ONCE;
    PipelineConfig.Builder cb = PipelineConfig.builder().batchSize(1000).guarantee(g);
    if (!exactlyOnce) {
      cb.commitInterval(Duration.ofSeconds(1));
    }
    SessionsPipeline.Builder b = SessionsPipeline.builder(servers).config(cb.build()).guarantee(g).bounded()
        .groupId("nip-demo-sessions-" + UUID.randomUUID());
    Map<TopicPartition, Long> outputFrom = null;
    Map<TopicPartition, Long> dlqFrom = null;
    if (exactlyOnce) {
      outputFrom = KafkaTopics.committedEnds(servers, SessionsPipeline.OUTPUT_TOPIC);
      dlqFrom = KafkaTopics.committedEnds(servers, SessionsPipeline.DLQ_TOPIC);
    } else {
      if (files.results() != null) {
        b.outputSink(files.results());
      }
      if (files.deadLetters() != null) {
        b.deadLetterSink(files.deadLetters());
      }
    }
    SessionsPipeline job = b.build();
    long start = System.nanoTime();
    try (PipelineHandle h = job.start()) {
      stops.stage("processing", h::stop, () -> String.format("%,d events read, %,d sessions written",
          job.counters().eventsIn(), job.counters().sessionsOut()));
      h.awaitTermination();
      stops.checkStop();
    }
    elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (exactlyOnce) {
      if (files.results() != null) {
        KafkaTopics.readCommitted(servers, SessionsPipeline.OUTPUT_TOPIC, outputFrom,
            r -> files.results().append(SessionSummary.SERDE.deserialize(r.value()), Headers.EMPTY));
      }
      AnalyticsDemo.readBackDeadLetters(servers, dlqFrom, files.deadLetters());
    }
    return job;
  }

  /** @return 0, or 3 when every input line was bad; prints the summary */
  private int verdict(SessionsPipeline job, InputLoader.Result loaded, PrintWriter err) {
    String from = demo.input != null ? "input " + demo.input
        : String.format("generator (%,d events, seed %d)", demo.events, demo.seed);
    SessionsReport.print("nip demo sessions: " + from + ", Kafka " + (demo.bootstrapServers != null
        ? demo.bootstrapServers
        : "embedded") + ", " + GuaranteeOption.spelled(GuaranteeOption.parse(guarantee)), job.counters(),
        loaded.rejected(), elapsed, err);
    long bad = job.counters().badRecords() + loaded.rejected();
    if (loaded.lines() > 0 && bad >= loaded.lines()) {
      err.printf("nip: every input line was bad (%,d of %,d); the dead letters say which and why (topic %s%s); "
          + "exit code %d%n", bad, loaded.lines(), SessionsPipeline.DLQ_TOPIC,
          demo.dlqOutput != null ? ", file " + demo.dlqOutput : "", AnalyticsCommand.EXIT_BAD_INPUT);
      err.flush();
      return AnalyticsCommand.EXIT_BAD_INPUT;
    }
    return 0;
  }

  private void validate() {
    demo.validate(spec);
    GuaranteeOption.parse(guarantee);
    Map<String, Path> outputs = new LinkedHashMap<>();
    outputs.put("--output", demo.output);
    outputs.put("--dlq-output", demo.dlqOutput);
    Outputs.check(demo.input, outputs);
  }
}
