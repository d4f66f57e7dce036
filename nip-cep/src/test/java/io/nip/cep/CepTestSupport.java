package io.nip.cep;

import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/** Builds a one-pattern pipeline over {@link Ev}s keyed by user, with matches rendered as text. */
final class CepTestSupport {
  static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  final Pipeline pipeline;
  final CollectingSink<String> matches = Sinks.collecting("matches");
  final CollectingSink<Ev> late = Sinks.collecting("late");

  CepTestSupport(Pattern<Ev> pattern, Duration outOfOrderness) {
    pipeline = Pipeline.named("cep");
    // tag::detect[]
    KeyedStream<String, Ev> events = pipeline.from(Sources.<Ev>collection("in", List.of()),
        WatermarkStrategy.boundedOutOfOrderness(outOfOrderness)).keyBy(Ev::user, Serdes.string());
    PatternStream<String, Ev> out = Cep.detect(events, pattern, Serdes.json(Ev.class), Op.named("p"));
    out.matches().map(CepTestSupport::render).to(matches);
    out.lateEvents().to(late);
    // end::detect[]
  }

  /**
   * @param m a match
   * @return {@code user:kind+n,kind+n,...@seconds after T0}
   */
  static String render(PatternMatch<String, Ev> m) {
    return m.key() + ":" + m.events().stream().map(e -> e.kind() + e.n()).collect(Collectors.joining(","))
        + "@" + Duration.between(T0, m.detectedAt()).toSeconds();
  }

  static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }
}
