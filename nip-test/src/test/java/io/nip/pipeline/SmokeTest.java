package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SmokeTest {

  @Test
  void threaded_filter_map_keyed_count() {
    List<Integer> data = IntStream.range(0, 10_000).boxed().collect(Collectors.toList());
    Pipeline p = Pipeline.named("smoke", PipelineConfig.builder().threads(2).build());
    CollectingSink<String> out = Sinks.collecting("out");
    CollectingSink<Integer> evens = Sinks.collecting("evens");
    Stream<Integer> s = p.from(Sources.collection("nums", data, 3),
        io.nip.time.WatermarkStrategy.<Integer>boundedOutOfOrderness(Duration.ZERO)
            .withTimestamps(i -> Instant.ofEpochMilli(i)));
    s.filter(i -> i % 2 == 0).to(evens);
    s.keyBy(i -> i % 7).process((KeyedProcessor<Integer, Integer, String>) (k, v, ctx) -> {
      ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
      n.update(n.valueOr(0L) + 1);
      if (n.value() == 1) {
        ctx.registerEventTimeTimer(Instant.ofEpochMilli(5_000));
      }
    }).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(evens.size()).isEqualTo(5_000);
  }

  @Test
  void driver_timers_and_state() {
    Pipeline p = Pipeline.named("drv");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.collection("in", List.<String>of()))
        .<String>keyBy(x -> x.substring(0, 1))
        .process(new KeyedProcessor<String, String, String>() {
          @Override
          public void process(String key, String value, KeyedContext<String, String> ctx) {
            ValueState<Long> n = ctx.valueState("n", Serdes.json(Long.class));
            n.update(n.valueOr(0L) + 1);
            ctx.registerEventTimeTimer(Instant.ofEpochSecond(100));
          }

          @Override
          public void onTimer(String key, Instant t, io.nip.time.TimeDomain d, KeyedContext<String, String> ctx) {
            ctx.emit(key + "=" + ctx.<Long>valueState("n", Serdes.json(Long.class)).value());
          }
        }, Op.named("counter"))
        .to(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      TestInput<String> in = d.input("in");
      in.pipe("a1", Instant.ofEpochSecond(1)).pipe("a2", Instant.ofEpochSecond(2)).pipe("b1", Instant.ofEpochSecond(3));
      assertThat(d.output(out)).isEmpty();
      assertThat(d.state("counter", "n")).containsEntry("a", 2L).containsEntry("b", 1L);
      d.advanceEventTime(Instant.ofEpochSecond(100));
      assertThat(new ArrayList<>(d.output(out))).containsExactlyInAnyOrder("a=2", "b=1");
    }
  }
}
