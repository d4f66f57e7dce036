package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.TimeDomain;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A merge of two keyed branches in one task passes the end-of-time watermark on at the end of a bounded input. */
class MergeEndOfTimeTest {

  @Test
  void when_a_bounded_input_ends_then_event_time_timers_after_a_merge_of_keyed_branches_fire() {
    // Given: keyed records, two keyed branches merged and keyed again in the same task, then a
    // processor that emits each record only from an event-time timer just after it
    Instant t0 = Instant.parse("2026-01-17T17:00:00Z");
    List<Long> input = List.of(1L, 2L, 3L, 4L, 5L, 6L);
    Pipeline p = Pipeline.named("merge-end", PipelineConfig.builder().threads(2).build());
    KeyedStream<Long, Long> keyed = p.from(Sources.collection("in", input),
        WatermarkStrategy.<Long>boundedOutOfOrderness(Duration.ofSeconds(10))
            .withTimestamps(n -> t0.plusSeconds(n))).keyBy(n -> n % 2, Serdes.json(Long.class));
    Stream<Long> a = keyed.process((Long k, Long v, KeyedContext<Long, Long> c) -> c.emit(v), Op.named("a"));
    Stream<Long> b = keyed.process((Long k, Long v, KeyedContext<Long, Long> c) -> c.emit(-v), Op.named("b"));
    CollectingSink<Long> out = Sinks.collecting("out");
    a.merge(b).keyByPartitioned(n -> Math.abs(n) % 2, Serdes.json(Long.class))
        .process(new KeyedProcessor<Long, Long, Long>() {
          @Override
          public void process(Long key, Long value, KeyedContext<Long, Long> c) {
            c.valueState("v" + value, Serdes.json(Long.class)).update(value);
            c.registerEventTimeTimer(c.timestamp().plusMillis(1));
          }

          @Override
          public void onTimer(Long key, Instant time, TimeDomain domain, KeyedContext<Long, Long> c) {
            long n = time.minusMillis(1).getEpochSecond() - t0.getEpochSecond();
            c.emit(c.valueState("v" + n, Serdes.json(Long.class)).value());
            c.emit(c.valueState("v" + -n, Serdes.json(Long.class)).value());
          }
        }, Op.named("timed")).to(out);

    // When it runs to the end
    assertThat(p.start().awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then every record came out of a timer, the last ones included (the bound is 10 s of 6)
    assertThat(out.values()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, -1L, -2L, -3L, -4L, -5L, -6L);
  }
}
