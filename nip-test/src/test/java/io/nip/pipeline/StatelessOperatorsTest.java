package io.nip.pipeline;

import io.nip.testing.PipelineTestDriver;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stateless operators, routing, merge and fan-out, run through the test driver. */
class StatelessOperatorsTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  @Test
  void when_filtering_then_only_matching_records_reach_the_sink() {
    // Given
    Pipeline p = Pipeline.named("filter");
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of())).filter(i -> i % 2 == 0).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipeAll(1, 2, 3, 4, 5, 6);
      // Then
      assertThat(driver.output(out)).containsExactly(2, 4, 6);
    }
  }

  @Test
  void when_mapping_then_each_record_is_replaced_by_its_result_in_order() {
    Pipeline p = Pipeline.named("map");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of())).map(i -> "n" + i * 10).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3);
      assertThat(driver.output(out)).containsExactly("n10", "n20", "n30");
    }
  }

  @Test
  void when_flatMapping_then_each_record_yields_zero_or_more_results() {
    Pipeline p = Pipeline.named("flatmap");
    CollectingSink<String> out = Sinks.collecting("out");
    p.from(Sources.<String>collection("in", List.of()))
        .flatMap(line -> line.isEmpty() ? List.<String>of() : List.of(line.split(" ")))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("a b", "", "c");
      assertThat(driver.output(out)).containsExactly("a", "b", "c");
    }
  }

  @Test
  void when_peeking_then_the_action_sees_every_record_and_records_pass_unchanged() {
    Pipeline p = Pipeline.named("peek");
    CollectingSink<String> out = Sinks.collecting("out");
    List<String> seen = new ArrayList<>();
    p.from(Sources.<String>collection("in", List.of())).peek(seen::add).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("x", "y");
      assertThat(seen).containsExactly("x", "y");
      assertThat(driver.output(out)).containsExactly("x", "y");
    }
  }

  @Test
  void when_chaining_operators_then_they_apply_in_declaration_order() {
    Pipeline p = Pipeline.named("chain");
    CollectingSink<Integer> out = Sinks.collecting("out");
    p.from(Sources.<Integer>collection("in", List.of()))
        .map(i -> i + 1)
        .filter(i -> i > 2)
        .flatMap(i -> List.of(i, -i))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipeAll(1, 2, 3);
      assertThat(driver.output(out)).containsExactly(3, -3, 4, -4);
    }
  }

  @Test
  void when_routing_with_firstMatch_then_a_record_takes_only_the_first_matching_route() {
    // Given
    Pipeline p = Pipeline.named("route-first");
    CollectingSink<Integer> small = Sinks.collecting("small");
    CollectingSink<Integer> even = Sinks.collecting("even");
    CollectingSink<Integer> rest = Sinks.collecting("rest");
    RoutedStreams<Integer> r = p.from(Sources.<Integer>collection("in", List.of()))
        .route(Routes.<Integer>firstMatch().when("small", i -> i < 10).when("even", i -> i % 2 == 0));
    r.get("small").to(small);
    r.get("even").to(even);
    r.defaultRoute().to(rest);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<Integer>input("in").pipeAll(2, 3, 12, 13);
      // Then
      assertThat(driver.output(small)).containsExactly(2, 3);
      assertThat(driver.output(even)).containsExactly(12);
      assertThat(driver.output(rest)).containsExactly(13);
    }
  }

  @Test
  void when_routing_with_allMatches_then_a_record_takes_every_matching_route_and_default_only_when_none() {
    Pipeline p = Pipeline.named("route-all");
    CollectingSink<Integer> small = Sinks.collecting("small");
    CollectingSink<Integer> even = Sinks.collecting("even");
    CollectingSink<Integer> rest = Sinks.collecting("rest");
    RoutedStreams<Integer> r = p.from(Sources.<Integer>collection("in", List.of()))
        .route(Routes.<Integer>allMatches().when("small", i -> i < 10).when("even", i -> i % 2 == 0));
    r.get("small").to(small);
    r.get("even").to(even);
    r.get(Routes.DEFAULT).to(rest);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipeAll(2, 3, 12, 13);
      assertThat(driver.output(small)).containsExactly(2, 3);
      assertThat(driver.output(even)).containsExactly(2, 12);
      assertThat(driver.output(rest)).containsExactly(13);
    }
    assertThat(r.names()).containsExactly("small", "even", "default");
  }

  @Test
  void when_a_route_has_no_consumer_then_its_records_are_dropped_and_others_still_flow() {
    Pipeline p = Pipeline.named("route-unused");
    CollectingSink<Integer> rest = Sinks.collecting("rest");
    RoutedStreams<Integer> r = p.from(Sources.<Integer>collection("in", List.of()))
        .route(Routes.<Integer>firstMatch().when("negative", i -> i < 0));
    r.defaultRoute().to(rest);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipeAll(-1, 1, -2, 2);
      assertThat(driver.output(rest)).containsExactly(1, 2);
    }
  }

  @Test
  void when_a_route_output_is_mapped_then_merged_with_another_route_then_both_arrive() {
    Pipeline p = Pipeline.named("route-merge");
    CollectingSink<String> out = Sinks.collecting("out");
    RoutedStreams<Integer> r = p.from(Sources.<Integer>collection("in", List.of()))
        .route(Routes.<Integer>firstMatch().when("neg", i -> i < 0));
    r.get("neg").map(i -> "neg" + i).merge(r.defaultRoute().map(i -> "pos" + i)).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<Integer>input("in").pipeAll(-1, 1);
      assertThat(driver.output(out)).containsExactlyInAnyOrder("neg-1", "pos1");
    }
  }

  @Test
  void when_two_sources_are_merged_then_the_sink_receives_the_records_of_both() {
    // Given
    Pipeline p = Pipeline.named("merge");
    CollectingSink<String> out = Sinks.collecting("out");
    Stream<String> a = p.from(Sources.<String>collection("a", List.of()));
    Stream<String> b = p.from(Sources.<String>collection("b", List.of()));
    a.merge(b).map(String::toUpperCase).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("a").pipe("a1", T0);
      driver.<String>input("b").pipe("b1", T0);
      driver.<String>input("a").pipe("a2", T0);
      // Then
      assertThat(driver.output(out)).containsExactly("A1", "B1", "A2");
    }
  }

  @Test
  void when_merged_sources_both_end_then_the_pipeline_completes() {
    Pipeline p = Pipeline.named("merge-end");
    CollectingSink<String> out = Sinks.collecting("out");
    Stream<String> a = p.from(Sources.<String>collection("a", List.of()));
    Stream<String> b = p.from(Sources.<String>collection("b", List.of()));
    a.merge(b).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("a").pipe("x", T0).end();
      assertThat(driver.isCompleted()).isFalse();
      driver.<String>input("b").pipe("y", T0).end();
      assertThat(driver.isCompleted()).isTrue();
      assertThat(driver.output(out)).containsExactly("x", "y");
    }
  }

  @Test
  void when_a_stream_is_written_to_two_sinks_then_each_sink_receives_every_record() {
    Pipeline p = Pipeline.named("fanout");
    CollectingSink<String> first = Sinks.collecting("first");
    CollectingSink<String> second = Sinks.collecting("second");
    Stream<String> s = p.from(Sources.<String>collection("in", List.of())).map(String::trim);
    s.to(first);
    s.to(second);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll(" a", "b ");
      assertThat(driver.output(first)).containsExactly("a", "b");
      assertThat(driver.output(second)).containsExactly("a", "b");
      assertThat(driver.output("second")).containsExactly("a", "b");
    }
    assertThat(first.values()).containsExactly("a", "b");
    assertThat(second.values()).containsExactly("a", "b");
  }

  @Test
  void when_a_stream_feeds_two_branches_then_each_branch_transforms_independently() {
    Pipeline p = Pipeline.named("branches");
    CollectingSink<Integer> lengths = Sinks.collecting("lengths");
    CollectingSink<String> upper = Sinks.collecting("upper");
    Stream<String> s = p.from(Sources.<String>collection("in", List.of()));
    s.map(String::length).to(lengths);
    s.filter(x -> x.startsWith("a")).map(String::toUpperCase).to(upper);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipeAll("ab", "xyz");
      assertThat(driver.output(lengths)).containsExactly(2, 3);
      assertThat(driver.output(upper)).containsExactly("AB");
    }
  }
}
