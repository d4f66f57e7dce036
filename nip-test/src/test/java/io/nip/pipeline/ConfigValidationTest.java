package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.StoreSpec;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Bad settings fail fast with a message naming the setting and the rejected value. */
class ConfigValidationTest {

  static Stream<Arguments> badBuilderSettings() {
    return Stream.of(
        Arguments.of("threads", "0", (Consumer<PipelineConfig.Builder>) b -> b.threads(0)),
        Arguments.of("threads", "1025", (Consumer<PipelineConfig.Builder>) b -> b.threads(1025)),
        Arguments.of("parallelism", "-1", (Consumer<PipelineConfig.Builder>) b -> b.parallelism(-1)),
        Arguments.of("parallelism", "5000", (Consumer<PipelineConfig.Builder>) b -> b.parallelism(5000)),
        Arguments.of("batchSize", "0", (Consumer<PipelineConfig.Builder>) b -> b.batchSize(0)),
        Arguments.of("exchangeCapacity", "0", (Consumer<PipelineConfig.Builder>) b -> b.exchangeCapacity(0)),
        Arguments.of("maxOutOfOrderness", "PT-1S",
            (Consumer<PipelineConfig.Builder>) b -> b.maxOutOfOrderness(Duration.ofSeconds(-1))),
        Arguments.of("idleTimeout", "PT0S", (Consumer<PipelineConfig.Builder>) b -> b.idleTimeout(Duration.ZERO)),
        Arguments.of("commitInterval", "PT-0.001S",
            (Consumer<PipelineConfig.Builder>) b -> b.commitInterval(Duration.ofMillis(-1))));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badBuilderSettings")
  void when_a_builder_setting_is_out_of_range_then_the_message_names_the_setting_and_the_value(
      String setting, String value, Consumer<PipelineConfig.Builder> set) {
    PipelineConfig.Builder b = PipelineConfig.builder();
    assertThatThrownBy(() -> set.accept(b))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value)
        .satisfies(e -> assertThat(((ConfigurationException) e).setting()).isEqualTo(setting));
  }

  @Test
  void when_settings_are_valid_then_the_config_holds_them_and_parallelism_defaults_to_threads() {
    PipelineConfig c = PipelineConfig.builder().threads(3).maxOutOfOrderness(Duration.ofSeconds(7)).build();
    assertThat(c.threads()).isEqualTo(3);
    assertThat(c.parallelism()).isEqualTo(3);
    assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.errorPolicy().kind()).isEqualTo(ErrorPolicy.Kind.SKIP);
    assertThat(c.toBuilder().parallelism(5).build().parallelism()).isEqualTo(5);
  }

  @Test
  void when_reading_properties_then_known_keys_are_applied() {
    PipelineConfig c = PipelineConfig.fromProperties(Map.of(
        "threads", "4", "parallelism", "8", "batch.size", "100", "max.out.of.orderness", "PT5S",
        "idle.timeout", "1500", "error.policy", "fail")).build();
    assertThat(c.threads()).isEqualTo(4);
    assertThat(c.parallelism()).isEqualTo(8);
    assertThat(c.batchSize()).isEqualTo(100);
    assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.errorPolicy().kind()).isEqualTo(ErrorPolicy.Kind.FAIL);
    assertThat(PipelineConfig.defaults().watermarkAlignment()).as("off by default").isEmpty();
  }

  @Test
  void when_reading_the_alignment_properties_then_their_order_does_not_matter() {
    for (boolean driftFirst : new boolean[] {true, false}) {
      Map<String, String> props = new java.util.LinkedHashMap<>();
      if (driftFirst) {
        props.put("watermark.alignment", "PT20S");
      }
      props.put("watermark.alignment.startup.wait", "2000");
      if (!driftFirst) {
        props.put("watermark.alignment", "PT20S");
      }
      PipelineConfig c = PipelineConfig.fromProperties(props).build();
      assertThat(c.watermarkAlignment()).contains(Duration.ofSeconds(20));
      assertThat(c.alignmentStartupWait()).isEqualTo(Duration.ofSeconds(2));
    }
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("watermark.alignment.startup.wait", "PT1S")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("watermark.alignment.startup.wait")
        .hasMessageContaining("needs watermark.alignment");
    assertThatThrownBy(() -> PipelineConfig.fromProperties(
            Map.of("watermark.alignment", "PT1S", "watermark.alignment.startup.wait", "PT-1S")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("watermark.alignment.startup.wait");
  }

  @Test
  void when_the_alignment_drift_is_negative_then_it_is_rejected_by_name() {
    assertThatThrownBy(() -> PipelineConfig.builder().watermarkAlignment(Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("watermarkAlignment");
    assertThatThrownBy(() -> PipelineConfig.builder().watermarkAlignment(Duration.ZERO, Duration.ofSeconds(-1)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("alignmentStartupWait");
  }

  @Test
  void when_properties_hold_an_unknown_key_then_it_is_rejected_by_name() {
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("thread", "4")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("thread")
        .hasMessageContaining("unknown");
  }

  @Test
  void when_properties_hold_bad_values_then_the_message_names_the_key_and_value() {
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("threads", "four")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("threads").hasMessageContaining("four");
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("commit.interval", "soon")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("commit.interval").hasMessageContaining("soon");
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("error.policy", "retry")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("error.policy").hasMessageContaining("retry");
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("threads", "0")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("threads").hasMessageContaining("0");
  }

  static Stream<Arguments> badComponentSettings() {
    return Stream.of(
        Arguments.of("maxOutOfOrderness", "PT-5S",
            (ThrowingCallable) () -> WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(-5))),
        Arguments.of("idleTimeout", "PT0S",
            (ThrowingCallable) () -> WatermarkStrategy.boundedOutOfOrderness(Duration.ZERO).withIdleTimeout(Duration.ZERO)),
        Arguments.of("store.name", "'my store'",
            (ThrowingCallable) () -> StoreSpec.keyValue("my store", Serdes.string(), Serdes.string())),
        Arguments.of("store.counts.ttl", "PT0S",
            (ThrowingCallable) () -> StoreSpec.keyValue("counts", Serdes.string(), Serdes.string()).withTtl(Duration.ZERO)),
        Arguments.of("maxInFlight", "0", (ThrowingCallable) () -> AsyncOptions.ordered(0)),
        Arguments.of("maxInFlight", "100001", (ThrowingCallable) () -> AsyncOptions.unordered(100_001)),
        Arguments.of("errorPolicy.retry.attempts", "0", (ThrowingCallable) () -> ErrorPolicy.retry(0, Duration.ZERO)),
        Arguments.of("errorPolicy.retry.backoff", "PT-1S",
            (ThrowingCallable) () -> ErrorPolicy.retry(1, Duration.ofSeconds(-1))),
        Arguments.of("errorPolicy", "SKIP", (ThrowingCallable) () -> ErrorPolicy.skip().orElse(ErrorPolicy.fail())),
        Arguments.of("errorPolicy", "retry",
            (ThrowingCallable) () -> ErrorPolicy.retry(1, Duration.ZERO).orElse(ErrorPolicy.retry(2, Duration.ZERO))),
        Arguments.of("pipeline name", "'my pipeline'", (ThrowingCallable) () -> Pipeline.named("my pipeline")),
        Arguments.of("operator name", "'a/b'", (ThrowingCallable) () -> Op.named("a/b")),
        Arguments.of("route name", "'default'",
            (ThrowingCallable) () -> Routes.<String>firstMatch().when("default", s -> true)),
        Arguments.of("route name", "'x'",
            (ThrowingCallable) () -> Routes.<String>firstMatch().when("x", s -> true).when("x", s -> false)),
        Arguments.of("generator.keys", "0", (ThrowingCallable) () -> GeneratorSpec.builder().keys(0).build()),
        Arguments.of("generator.botRatio", "1.5", (ThrowingCallable) () -> GeneratorSpec.builder().botRatio(1.5).build()),
        Arguments.of("source in partitions", "0", (ThrowingCallable) () -> Sources.collection("in", List.of(1), 0)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badComponentSettings")
  void when_a_component_setting_is_invalid_then_the_message_names_it_and_the_value(
      String setting, String value, ThrowingCallable build) {
    assertThatThrownBy(build)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(setting)
        .hasMessageContaining(value);
  }

  @Test
  void when_two_operators_share_a_name_then_the_second_is_rejected() {
    Pipeline p = Pipeline.named("dup");
    io.nip.pipeline.Stream<Integer> s = p.from(Sources.collection("in", List.of(1)));
    s.map(i -> i, Op.named("same"));
    assertThatThrownBy(() -> s.map(i -> i, Op.named("same")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'same'");
  }

  @Test
  void when_asking_for_an_unknown_route_then_the_message_lists_the_routes() {
    Pipeline p = Pipeline.named("routes");
    RoutedStreams<Integer> r = p.from(Sources.collection("in", List.of(1)))
        .route(Routes.<Integer>firstMatch().when("odd", i -> i % 2 == 1));
    assertThatThrownBy(() -> r.get("even"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'even'")
        .hasMessageContaining("odd");
  }

  @Test
  void when_a_pipeline_has_no_source_then_planning_fails_with_a_clear_message() {
    Pipeline p = Pipeline.named("empty");
    assertThatThrownBy(() -> PipelineTestDriver.of(p))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no source");
  }

  @Test
  void when_the_driver_is_asked_for_an_unknown_input_or_sink_then_it_names_the_known_ones() {
    Pipeline p = Pipeline.named("names");
    p.from(Sources.<Integer>collection("in", List.of())).to(Sinks.collecting("out"));
    try (PipelineTestDriver d = PipelineTestDriver.of(p)) {
      assertThatThrownBy(() -> d.input("nope")).isInstanceOf(ConfigurationException.class).hasMessageContaining("in");
      assertThatThrownBy(() -> d.output("nope")).isInstanceOf(ConfigurationException.class).hasMessageContaining("out");
      assertThat(d.output("out")).isEmpty();
    }
  }
}
