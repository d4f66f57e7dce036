package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.errors.ErrorPolicy;
import io.nip.event.Headers;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans of traced steps, child spans and propagating sinks, exported to the SDK's in-memory exporter. */
class TracingPipelineTest {
  private static final Instant T0 = Instant.parse("2026-11-30T20:00:00Z");
  private static final String REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String REMOTE_SPAN = "00f067aa0ba902b7";

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private TracingManager tracing;

  private TracingManager tracing(SamplerType type, double rate) {
    tracing = TracingManager.builder("orders-service").sampler(type, rate).exporter(exporter).build();
    return tracing;
  }

  @AfterEach
  void closeTracing() {
    if (tracing != null) {
      tracing.close();
    }
  }

  private List<SpanData> exported() {
    assertThat(tracing.flush(Duration.ofSeconds(10))).isTrue();
    return exporter.getFinishedSpanItems();
  }

  private static Map<String, List<SpanData>> byName(List<SpanData> spans) {
    return spans.stream().collect(Collectors.groupingBy(SpanData::getName));
  }

  /** The tutorial's traced_process: validate, enrich and persist as child spans of process_event. */
  private Stream<String> tracedProcess(Stream<String> events) {
    return tracing.trace("process_event").map(events, event -> {
      tracing.span("validate_event", () -> {
        if (event.isBlank()) {
          throw new IllegalArgumentException("blank event");
        }
      });
      String enriched = tracing.span("enrich_event", () -> event.toUpperCase());
      try (TraceScope persist = tracing.span("persist_event")) {
        persist.attribute("event.size", Integer.toString(enriched.length()));
      }
      return enriched;
    }, Op.named("enrich"));
  }

  @Test
  void each_record_gets_a_step_span_with_child_spans_and_a_publish_span_whose_context_the_sink_writes() {
    // Given: a pipeline whose traced step feeds a propagating sink; sampler always
    tracing(SamplerType.ALWAYS, 1.0);
    Pipeline pipeline = Pipeline.named("orders");
    HeaderRecordingSink<String> out = new HeaderRecordingSink<>("out");
    tracedProcess(pipeline.from(Sources.<String>collection("events", List.of()))).to(tracing.propagate(out));

    // When: one record arrives without a trace context and one continues a remote trace
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      TestInput<String> in = driver.input("events");
      in.pipe("a", T0);
      in.pipe("b", T0, Headers.of("traceparent", ("00-" + REMOTE_TRACE + "-" + REMOTE_SPAN + "-01").getBytes()));
      assertThat(driver.output("out")).containsExactly("A", "B");
    }

    // Then: per record, process_event with three children and a PRODUCER publish span under it
    List<SpanData> spans = exported();
    Map<String, List<SpanData>> byName = byName(spans);
    assertThat(byName.keySet())
        .containsExactlyInAnyOrder("process_event", "validate_event", "enrich_event", "persist_event", "out publish");
    assertThat(byName.values()).allSatisfy(named -> assertThat(named).hasSize(2));
    for (SpanData step : byName.get("process_event")) {
      List<SpanData> children = spans.stream().filter(s -> s.getParentSpanId().equals(step.getSpanId())).toList();
      assertThat(children).extracting(SpanData::getName)
          .containsExactlyInAnyOrder("validate_event", "enrich_event", "persist_event", "out publish");
      assertThat(children).allSatisfy(c -> assertThat(c.getTraceId()).isEqualTo(step.getTraceId()));
      assertThat(step.getAttributes().get(AttributeKey.stringKey("nip.operator"))).isEqualTo("enrich");
      assertThat(step.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("orders-service");
    }
    // and the record that came with a traceparent continues that trace under the remote span
    SpanData continued = byName.get("process_event").stream()
        .filter(s -> s.getTraceId().equals(REMOTE_TRACE)).findFirst().orElseThrow();
    assertThat(continued.getParentSpanId()).isEqualTo(REMOTE_SPAN);
    assertThat(continued.getParentSpanContext().isRemote()).isTrue();
    // and the publish span carries the pipeline, task and sink, and its context is what the sink wrote
    Map<String, SpanData> publishByTrace = byName.get("out publish").stream()
        .collect(Collectors.toMap(SpanData::getTraceId, Function.identity()));
    SpanData publish = publishByTrace.get(REMOTE_TRACE);
    assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(publish.getAttributes().get(AttributeKey.stringKey("nip.pipeline"))).isEqualTo("orders");
    assertThat(publish.getAttributes().get(AttributeKey.stringKey("nip.sink"))).isEqualTo("out");
    assertThat(publish.getAttributes().get(AttributeKey.stringKey("nip.task"))).isNotBlank();
    assertThat(out.written()).extracting(HeaderRecordingSink.Written::traceparent).containsExactlyInAnyOrderElementsOf(
        byName.get("out publish").stream().map(s -> "00-" + s.getTraceId() + "-" + s.getSpanId() + "-"
            + s.getSpanContext().getTraceFlags().asHex()).toList());
    // and the incoming traceparent was replaced, not repeated
    assertThat(out.written().get(1).headers().values("traceparent")).hasSize(1);
  }

  @Test
  void a_failing_step_marks_its_span_and_the_child_span_with_the_error_and_the_error_policy_still_applies() {
    // Given: the traced step under a skip policy
    tracing(SamplerType.ALWAYS, 1.0);
    Pipeline pipeline = Pipeline.named("orders");
    CollectingSink<String> out = Sinks.collecting("out");
    tracing.trace("process_event").map(pipeline.from(Sources.<String>collection("events", List.of())), event -> {
      tracing.span("validate_event", () -> {
        if (event.isBlank()) {
          throw new IllegalArgumentException("blank event");
        }
      });
      return event.toUpperCase();
    }, Op.named("validate").onError(ErrorPolicy.skip())).to(out);

    // When: a blank record fails validation between two good ones
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.input("events").pipeAll("a", " ", "c");
      assertThat(driver.output(out)).containsExactly("A", "C");
    }

    // Then: the failed record's step span and validate span are ERROR with an exception event
    List<SpanData> failed = exported().stream().filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).toList();
    assertThat(failed).extracting(SpanData::getName).containsExactlyInAnyOrder("process_event", "validate_event");
    assertThat(failed).allSatisfy(s -> {
      assertThat(s.getStatus().getDescription()).contains("blank event");
      assertThat(s.getEvents()).singleElement().satisfies(e -> {
        assertThat(e.getName()).isEqualTo("exception");
        assertThat(e.getAttributes().get(AttributeKey.stringKey("exception.type")))
            .isEqualTo(IllegalArgumentException.class.getName());
      });
    });
    assertThat(failed.get(0).getTraceId()).isEqualTo(failed.get(1).getTraceId());
  }

  @Test
  void a_record_in_an_unsampled_trace_builds_no_span_and_keeps_its_traceparent_and_new_traces_carry_the_decision() {
    // Given: a sampler that starts no trace, and a traced filter before the propagating sink
    tracing(SamplerType.NEVER, 0.0);
    Pipeline pipeline = Pipeline.named("orders");
    HeaderRecordingSink<String> out = new HeaderRecordingSink<>("out");
    Stream<String> kept = tracing.trace("keep").filter(
        pipeline.from(Sources.<String>collection("events", List.of())), e -> !e.startsWith("x"));
    tracedProcess(kept).to(tracing.propagate(out));
    String unsampled = "00-" + REMOTE_TRACE + "-" + REMOTE_SPAN + "-00";

    // When: a record of an unsampled trace, a record without context, and one the filter drops
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      TestInput<String> in = driver.input("events");
      in.pipe("a", T0, Headers.of("traceparent", unsampled.getBytes()));
      in.pipe("b", T0);
      in.pipe("x", T0);
      assertThat(driver.output("out")).containsExactly("A", "B");
    }

    // Then: nothing was recorded
    assertThat(exported()).isEmpty();
    // and the unsampled record left with its own traceparent, untouched
    assertThat(out.written().get(0).traceparent()).isEqualTo(unsampled);
    // and the new trace left with a not-sampled traceparent (flag bit 0 clear; bit 1 set: W3C's
    // "random trace id", as the SDK's random generator gives it), so a reader keeps the decision
    assertThat(out.written().get(1).traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-02")
        .doesNotContain(REMOTE_TRACE);
  }

  @Test
  void a_sampled_trace_is_continued_even_by_a_manager_that_starts_none() {
    // Given: sampler NEVER; a record arrives in a sampled trace
    tracing(SamplerType.NEVER, 0.0);
    Pipeline pipeline = Pipeline.named("orders");
    CollectingSink<String> out = Sinks.collecting("out");
    tracing.trace("keep").filter(pipeline.from(Sources.<String>collection("events", List.of())), e -> true)
        .to(out);

    // When: it passes the traced filter
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.input("events").pipe("a", T0,
          Headers.of("traceparent", ("00-" + REMOTE_TRACE + "-" + REMOTE_SPAN + "-01").getBytes()));
      assertThat(driver.output(out)).containsExactly("a");
    }

    // Then: its span is recorded under the remote parent (ParentBased keeps the parent's decision)
    assertThat(exported()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("keep");
      assertThat(s.getTraceId()).isEqualTo(REMOTE_TRACE);
      assertThat(s.getParentSpanId()).isEqualTo(REMOTE_SPAN);
    });
  }

  @Test
  void a_step_after_the_key_exchange_continues_the_trace_under_the_step_before_it() {
    // Given: a traced parse, a keyBy with a pass-through process, then a traced count
    tracing(SamplerType.ALWAYS, 1.0);
    Pipeline pipeline = Pipeline.named("orders");
    CollectingSink<String> out = Sinks.collecting("out");
    Stream<String> parsed = tracing.trace("parse").map(
        pipeline.from(Sources.<String>collection("events", List.of())), String::trim);
    Stream<String> regrouped = parsed.keyBy(v -> v.substring(0, 1))
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v));
    tracing.trace("count").map(regrouped, v -> v + "#").to(out);

    // When: three records cross the exchange
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.input("events").pipeAll(" a1", " b1", " a2");
      assertThat(driver.output(out)).containsExactlyInAnyOrder("a1#", "b1#", "a2#");
    }

    // Then: each count span is a child of its record's parse span, in one trace per record
    Map<String, List<SpanData>> byName = byName(exported());
    Map<String, SpanData> parseById = byName.get("parse").stream()
        .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
    assertThat(byName.get("count")).hasSize(3).allSatisfy(count -> {
      SpanData parse = parseById.get(count.getParentSpanId());
      assertThat(parse).isNotNull();
      assertThat(count.getTraceId()).isEqualTo(parse.getTraceId());
    });
    assertThat(byName.get("count").stream().map(SpanData::getTraceId).distinct()).hasSize(3);
  }

  @Test
  void the_step_as_a_map_with_headers_function_traces_each_record_and_leaves_its_headers() {
    // Given: the step as a plain mapWithHeaders function, before a sink that records headers
    tracing(SamplerType.ALWAYS, 1.0);
    Pipeline pipeline = Pipeline.named("orders");
    HeaderRecordingSink<Integer> out = new HeaderRecordingSink<>("out");
    pipeline.from(Sources.<String>collection("events", List.of()))
        .mapWithHeaders(tracing.trace("parse").function(Integer::parseInt)).to(out);
    String incoming = "00-" + REMOTE_TRACE + "-" + REMOTE_SPAN + "-01";

    // When: a record continues a remote trace
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.input("events").pipe("42", T0, Headers.of("traceparent", incoming.getBytes()));
      assertThat(driver.output("out")).containsExactly(42);
    }

    // Then: the span hangs under the remote parent, and the record keeps its incoming context
    assertThat(exported()).singleElement().satisfies(s -> assertThat(s.getParentSpanId()).isEqualTo(REMOTE_SPAN));
    assertThat(out.written()).singleElement().satisfies(w -> assertThat(w.traceparent()).isEqualTo(incoming));
  }

  @Test
  void a_keyed_processor_continues_the_trace_of_its_record_from_the_context_headers() {
    // Given: a traced step before a keyBy, and a keyed processor that opens a span from its record's headers
    tracing(SamplerType.ALWAYS, 1.0);
    Pipeline pipeline = Pipeline.named("orders");
    CollectingSink<String> out = Sinks.collecting("out");
    tracing.trace("parse").map(pipeline.from(Sources.<String>collection("events", List.of())), String::trim)
        .keyBy(v -> v.substring(0, 1))
        .process((io.nip.pipeline.KeyedProcessor<String, String, String>) (key, value, ctx) -> {
          try (TraceScope scope = tracing.span("score", ctx.headers())) {
            ctx.emit(value.toUpperCase());
          }
        })
        .to(out);

    // When: two records flow
    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      TestInput<String> in = driver.input("events");
      in.pipe(" a ", T0);
      in.pipe(" b ", T0);
      assertThat(driver.output("out")).containsExactlyInAnyOrder("A", "B");
    }

    // Then: each score span is a child of its record's parse span, in the same trace
    Map<String, List<SpanData>> byName = byName(exported());
    assertThat(byName.get("score")).hasSize(2);
    Map<String, SpanData> parseById = byName.get("parse").stream()
        .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
    assertThat(byName.get("score")).allSatisfy(score -> {
      SpanData parent = parseById.get(score.getParentSpanId());
      assertThat(parent).as("parent of " + score).isNotNull();
      assertThat(score.getTraceId()).isEqualTo(parent.getTraceId());
    });
  }
}
