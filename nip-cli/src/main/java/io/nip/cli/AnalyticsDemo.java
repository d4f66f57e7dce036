package io.nip.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.examples.SplitAndRoute;
import io.nip.examples.UserEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The analytics demo's pipeline, before windows and Kafka arrive: user events from a JSON-lines
 * file or the generator, bad lines to the error policy (dead-letter file or skip), bots dropped,
 * events routed with the tutorial's {@code event_router} (purchase, signup, default), kept events
 * written as JSON lines. Counts are taken by the pipeline itself (a peek before the bot filter,
 * the route handlers after it) and bad lines from the {@code nip.errors} metric of the source.
 */
final class AnalyticsDemo {
  static final String PIPELINE = "analytics";
  static final String SOURCE = "user-events";
  static final int USERS = 10_000;
  static final double BOT_RATIO = 0.05;

  /**
   * What to run.
   *
   * @param events generated events (ignored with an input file)
   * @param input a JSON-lines file of user events, or null for the generator
   * @param output where kept events go, or null
   * @param dlqOutput where bad lines go, or null to skip them
   * @param seed generator seed
   * @param threads worker threads
   */
  record Settings(long events, Path input, Path output, Path dlqOutput, long seed, int threads) {}

  /**
   * What happened.
   *
   * @param eventsIn records read (parsed and bad)
   * @param badLines records that failed to parse
   * @param botsFiltered events of users named {@code bot_*}
   * @param eventsOut events kept
   * @param perRoute kept events per route, in route order
   * @param elapsed wall time from start to end of the pipeline
   */
  record Summary(long eventsIn, long badLines, long botsFiltered, long eventsOut, Map<String, Long> perRoute,
      Duration elapsed) {
    double eventsPerSecond() {
      double s = elapsed.toNanos() / 1e9;
      return s <= 0 ? 0 : eventsIn / s;
    }
  }

  private AnalyticsDemo() {}

  static Summary run(Settings s) {
    MeterRegistry registry = new SimpleMeterRegistry();
    ErrorPolicy policy = s.dlqOutput() == null ? ErrorPolicy.skip()
        : ErrorPolicy.deadLetter(Sinks.jsonLines("dead-letters", s.dlqOutput(), new DeadLetterSerde()));
    PipelineConfig config = PipelineConfig.builder().threads(s.threads()).errorPolicy(policy)
        .meterRegistry(registry).build();
    Pipeline p = Pipeline.named(PIPELINE, config);

    LongAdder parsed = new LongAdder();
    LongAdder purchases = new LongAdder();
    LongAdder signups = new LongAdder();
    LongAdder others = new LongAdder();
    Stream<UserEvent> kept = events(p, s)
        .peek(e -> parsed.increment(), Op.named("count-in"))
        .filter(e -> !e.userId().startsWith("bot_"), Op.named("drop-bots"));
    SplitAndRoute.router(e -> purchases.increment(), e -> signups.increment(), e -> others.increment())
        .applyTo(kept);
    if (s.output() != null) {
      kept.to(Sinks.jsonLines("output", s.output(), Serdes.json(UserEvent.class)));
    }

    long start = System.nanoTime();
    try (PipelineHandle h = p.start()) {
      h.awaitTermination();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    long bad = badLines(registry);
    long out = purchases.sum() + signups.sum() + others.sum();
    Map<String, Long> perRoute = new LinkedHashMap<>();
    perRoute.put(SplitAndRoute.PURCHASE, purchases.sum());
    perRoute.put(SplitAndRoute.SIGNUP, signups.sum());
    perRoute.put("default", others.sum());
    return new Summary(parsed.sum() + bad, bad, parsed.sum() - out, out, perRoute, elapsed);
  }

  private static Stream<UserEvent> events(Pipeline p, Settings s) {
    if (s.input() != null) {
      return p.from(Sources.jsonLines(SOURCE, s.input(), UserEvent.class));
    }
    GeneratorSpec spec = GeneratorSpec.builder().events(s.events()).keys(USERS).botRatio(BOT_RATIO)
        .seed(s.seed()).partitions(s.threads()).build();
    return p.from(Sources.generator(SOURCE, spec)).map(UserEvent::fromGeneric, Op.named("to-user-event"));
  }

  private static long badLines(MeterRegistry registry) {
    double n = 0;
    for (Counter c : registry.find("nip.errors").tag("operator", SOURCE).counters()) {
      String outcome = c.getId().getTag("outcome");
      if ("skipped".equals(outcome) || "dead_lettered".equals(outcome)) {
        n += c.count();
      }
    }
    return (long) n;
  }

  /**
   * Dead letters as one JSON object per line, with the bad line as text (not base64) so that it can
   * be read and replayed.
   */
  static final class DeadLetterSerde implements Serde<DeadLetter> {
    @Override
    public byte[] serialize(DeadLetter d) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("source", d.source());
      m.put("partition", d.partition());
      m.put("line", d.position() < 0 ? null : d.position() + 1);
      m.put("raw_record", d.rawRecordText());
      m.put("operator", d.operator());
      m.put("error_class", d.errorClass());
      m.put("error_message", d.errorMessage());
      m.put("failed_at", d.failedAt() == null ? null : d.failedAt().toString());
      try {
        return Serdes.objectMapper().writeValueAsBytes(m);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new io.nip.errors.SerializationException("cannot write dead letter: " + e.getMessage(), null, e);
      }
    }

    @Override
    public DeadLetter deserialize(byte[] bytes) {
      throw new UnsupportedOperationException("dead letters are written, not read, by the demo");
    }
  }
}
