package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StreamProcessorTest {

  @Test
  void filters_and_transforms_run_in_the_order_they_were_added() {
    // Given a processor: keep > 2, add 10, keep even, double
    CollectingSink<Integer> out = Sinks.collecting("out");
    StreamProcessor<Integer> p = StreamProcessor.<Integer>named("order")
        .filter(i -> i > 2).transform(i -> i + 10).filter(i -> i % 2 == 0).transform(i -> i * 2).sink(out);
    Pipeline pipeline = Pipeline.named("t");
    p.applyTo(pipeline.from(Sources.collection("in", List.<Integer>of()), WatermarkStrategy.processingTime()));

    // When records are piped through the test driver
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6);

      // Then only 4 and 6 survive both filters, transformed in order
      assertThat(driver.output(out)).containsExactly(28, 32);
    }
  }

  @Test
  void consumer_sinks_and_sink_objects_both_receive_every_kept_record() {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    CollectingSink<String> out = Sinks.collecting("out");
    StreamProcessor<String> p = StreamProcessor.<String>named("two_sinks")
        .filter(s -> !s.isEmpty()).sink(seen::add).sink(out);

    try (PipelineTestDriver driver = PipelineTestDriver.of(onProcessingTime(p::applyTo))) {
      driver.<String>input("in").pipeAll("a", "", "b");

      assertThat(seen).containsExactly("a", "b");
      assertThat(driver.output(out)).containsExactly("a", "b");
      assertThat(driver.output("two_sinks.sink-1")).containsExactly("a", "b");
    }
  }

  @Test
  void applyTo_returns_the_processed_stream_for_more_operators() {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline pipeline = Pipeline.named("t");
    Stream<Integer> processed = StreamProcessor.<Integer>named("p").transform(i -> i * 3)
        .applyTo(pipeline.from(Sources.collection("in", List.<Integer>of()), WatermarkStrategy.processingTime()));
    processed.map(i -> "v" + i).to(out);

    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline)) {
      driver.<Integer>input("in").pipeAll(1, 2);
      assertThat(driver.output(out)).containsExactly("v3", "v6");
    }
  }

  @Test
  void start_runs_a_real_bounded_pipeline_on_worker_threads() {
    // Given events numbered 0..19999 in 4 partitions
    CollectingSink<GenericEvent> out = Sinks.collecting("out");
    StreamProcessor<GenericEvent> p = StreamProcessor.<GenericEvent>named("real")
        .filter(e -> (int) e.number("n") % 4 == 0)
        .transform(e -> new GenericEvent(e.eventId(), e.key(), "kept", e.eventTime(), e.properties()))
        .sink(out);

    // When
    PipelineHandle h = p.start(Sources.collection("nums", numberedEvents(20_000), 4),
        PipelineConfig.builder().threads(2).build());

    // Then
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(out.values()).hasSize(5_000).allMatch(e -> e.eventType().equals("kept"));
    assertThat(out.values().stream().mapToLong(e -> (long) e.number("n")).sum())
        .isEqualTo(IntStream.range(0, 20_000).filter(i -> i % 4 == 0).asLongStream().sum());
  }

  @Test
  void a_failing_transform_follows_the_error_policy_and_the_pipeline_goes_on() {
    CollectingSink<Integer> out = Sinks.collecting("out");
    StreamProcessor<Integer> p = StreamProcessor.<Integer>named("errs").transform(i -> 10 / i).sink(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(onProcessingTime(p::applyTo),
        Instant.EPOCH)) {
      driver.<Integer>input("in").pipeAll(5, 0, 2);
      assertThat(driver.output(out)).containsExactly(2, 5);
    }
  }

  @Test
  void bad_settings_are_rejected_with_the_setting_named() {
    assertThatThrownBy(() -> StreamProcessor.named("filter transform"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("StreamProcessor name").hasMessageContaining("'filter transform'");
    StreamProcessor<String> noSink = StreamProcessor.<String>named("p").filter(s -> true);
    assertThatThrownBy(() -> noSink.start(Sources.collection("in", List.of("x"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sink").hasMessageContaining("no sink was added");
    assertThatThrownBy(() -> noSink.filter(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("predicate");
  }

  private static <T> Pipeline onProcessingTime(java.util.function.Function<Stream<T>, ?> facade) {
    Pipeline pipeline = Pipeline.named("t");
    facade.apply(pipeline.from(Sources.collection("in", List.<T>of()), WatermarkStrategy.processingTime()));
    return pipeline;
  }

  private static List<GenericEvent> numberedEvents(int n) {
    return IntStream.range(0, n).mapToObj(i -> new GenericEvent("e" + i, "k" + (i % 10), "n",
        Instant.ofEpochSecond(1_700_000_000L + i), Map.of("n", i))).collect(Collectors.toList());
  }
}
