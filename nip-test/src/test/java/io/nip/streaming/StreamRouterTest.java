package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.pipeline.RoutedStreams;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StreamRouterTest {

  @Test
  void each_record_takes_the_first_matching_route_else_the_default() {
    // Given: multiples of 2 and of 3 overlap at 6; the first route added wins
    CollectingSink<Integer> twos = Sinks.collecting("twos");
    CollectingSink<Integer> threes = Sinks.collecting("threes");
    CollectingSink<Integer> rest = Sinks.collecting("rest");
    StreamRouter<Integer> router = StreamRouter.<Integer>named("r")
        .route("two", i -> i % 2 == 0, twos).route("three", i -> i % 3 == 0, threes).defaultRoute(rest);
    Pipeline pipeline = Pipeline.named("t");
    router.applyTo(pipeline.from(Sources.collection("in", List.<Integer>of()), WatermarkStrategy.processingTime()));

    // When
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6, 9);

      // Then
      assertThat(driver.output(twos)).containsExactly(2, 4, 6);
      assertThat(driver.output(threes)).containsExactly(3, 9);
      assertThat(driver.output(rest)).containsExactly(1, 5);
    }
  }

  @Test
  void consumer_handlers_get_sinks_named_after_router_and_route() {
    StreamRouter<String> router = StreamRouter.<String>named("words")
        .route(s -> s.startsWith("a"), s -> { })
        .route(s -> s.startsWith("b"), s -> { })
        .defaultRoute(s -> { });
    assertThat(router.routeNames()).containsExactly("route-1", "route-2");

    try (PipelineTestDriver driver = PipelineTestDriver.of(onProcessingTime(router::applyTo))) {
      driver.<String>input("in").pipeAll("apple", "banana", "cherry", "avocado");
      assertThat(driver.output("words.route-1")).containsExactly("apple", "avocado");
      assertThat(driver.output("words.route-2")).containsExactly("banana");
      assertThat(driver.output("words.default")).containsExactly("cherry");
    }
  }

  @Test
  void without_a_default_unmatched_records_are_dropped() {
    CollectingSink<Integer> big = Sinks.collecting("big");
    StreamRouter<Integer> router = StreamRouter.<Integer>named("r").route(i -> i > 100, big);
    try (PipelineTestDriver driver = PipelineTestDriver.of(onProcessingTime(router::applyTo))) {
      driver.<Integer>input("in").pipeAll(5, 500, 50);
      assertThat(driver.output(big)).containsExactly(500);
    }
  }

  @Test
  void applyTo_exposes_the_routed_streams_for_more_operators() {
    CollectingSink<String> labelled = Sinks.collecting("labelled");
    Pipeline pipeline = Pipeline.named("t");
    RoutedStreams<Integer> routed = StreamRouter.<Integer>named("r").route("neg", i -> i < 0, i -> { })
        .applyTo(pipeline.from(Sources.collection("in", List.<Integer>of()), WatermarkStrategy.processingTime()));
    routed.defaultRoute().map(i -> "non-negative " + i).to(labelled);

    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline)) {
      driver.<Integer>input("in").pipeAll(-1, 0, 7);
      assertThat(driver.output(labelled)).containsExactly("non-negative 0", "non-negative 7");
    }
  }

  @Test
  void start_runs_a_real_bounded_pipeline_and_counts_per_route() {
    LongAdder small = new LongAdder();
    LongAdder medium = new LongAdder();
    LongAdder other = new LongAdder();
    StreamRouter<GenericEvent> router = StreamRouter.<GenericEvent>named("sizes")
        .route("small", e -> e.number("n") < 1_000, e -> small.increment())
        .route("medium", e -> e.number("n") < 10_000, e -> medium.increment())
        .defaultRoute(e -> other.increment());

    PipelineHandle h = router.start(Sources.collection("nums", numberedEvents(30_000), 3),
        PipelineConfig.builder().threads(3).build());

    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(small.sum()).isEqualTo(1_000);
    assertThat(medium.sum()).isEqualTo(9_000);
    assertThat(other.sum()).isEqualTo(20_000);
  }

  @Test
  void bad_settings_are_rejected_with_the_setting_named() {
    assertThatThrownBy(() -> StreamRouter.named("event router"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("StreamRouter name");
    StreamRouter<String> r = StreamRouter.<String>named("r").route("a", s -> true, s -> { });
    assertThatThrownBy(() -> r.route("a", s -> true, s -> { }))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("route name").hasMessageContaining("'a'");
    assertThatThrownBy(() -> r.route("default", s -> true, s -> { }))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'default'");
    r.defaultRoute(s -> { });
    assertThatThrownBy(() -> r.defaultRoute(s -> { }))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("defaultRoute");
    assertThatThrownBy(() -> StreamRouter.<String>named("empty").start(Sources.collection("in", List.of("x"))))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no route");
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
