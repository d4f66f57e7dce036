package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.event.Headers;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Record headers in the DSL: read, replaced, carried through fused chains and the key exchange to sinks. */
class HeadersTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** Writes "value key=K headers=[...]" for every record, from the sink context. */
  private static final class EnvelopeSink<T> implements Sink<T> {
    final List<String> written = new ArrayList<>();

    @Override
    public String name() {
      return "envelope";
    }

    @Override
    public SinkWriter<T> createWriter(SinkContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(T value) {
          written.add(value + " key=" + context.currentKey() + " " + context.currentHeaders());
        }

        @Override
        public void close() {}
      };
    }
  }

  private static Headers trace(String id) {
    return Headers.of("trace", id.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void when_a_record_has_headers_then_mapWithHeaders_reads_them_and_the_result_keeps_them() {
    // Given
    Pipeline p = Pipeline.named("read-headers");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of()))
        .mapWithHeaders((v, h) -> v + "@" + h.lastString("trace"))
        .filter(v -> true)
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("a", T0, trace("t1")).pipe("b", T0);
      // Then: headers reach the function and the sink; a record without headers sees EMPTY
      assertThat(out.written).containsExactly("a@t1 key=null Headers[trace=t1]", "b@null key=null Headers[]");
    }
  }

  @Test
  void when_headers_are_set_before_a_keyBy_then_they_cross_the_exchange_with_their_record() {
    // Given: headers derived from the value, then a key exchange and a keyed operator
    Pipeline p = Pipeline.named("set-headers", PipelineConfig.builder().parallelism(3).build());
    EnvelopeSink<String> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of()))
        .withHeaders((v, h) -> h.with("len", Integer.toString(v.length())))
        .keyBy(v -> v.substring(0, 1))
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v.toUpperCase()))
        .withHeaders((v, h) -> h.without("trace"))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("apple", T0, trace("t1")).pipe("bob", T0, trace("t2")).pipe("cat", T0);
      // Then: every record arrives with its own headers and the keyBy key, whatever task it went to
      assertThat(out.written).containsExactlyInAnyOrder(
          "APPLE key=a Headers[len=5]", "BOB key=b Headers[len=3]", "CAT key=c Headers[len=3]");
    }
  }

  @Test
  void when_a_window_fires_then_its_result_carries_no_record_headers() {
    // Given
    Pipeline p = Pipeline.named("window-headers");
    EnvelopeSink<Object> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(v -> v)
        .window(TumblingWindow.of(Duration.ofMinutes(1)))
        .aggregate(Aggregates.count())
        .map(r -> r.key() + "=" + r.value())
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("x", T0, trace("t1")).pipe("x", T0.plusSeconds(1), trace("t2"));
      driver.advanceEventTime(T0.plus(Duration.ofMinutes(5)));
      // Then
      assertThat(out.written).containsExactly("x=2 key=x Headers[]");
    }
  }

  @Test
  void when_withHeaders_returns_the_same_headers_then_records_pass_unchanged() {
    Pipeline p = Pipeline.named("same-headers");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of())).withHeaders((v, h) -> h).to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("a", T0, trace("t1"));
      assertThat(out.written).containsExactly("a key=null Headers[trace=t1]");
    }
  }

  @Test
  void when_a_keyed_processor_reads_headers_then_it_sees_its_record_s_and_none_in_a_timer() {
    // Given: a keyed processor that writes the record's "trace" header, and a timer per key
    Pipeline p = Pipeline.named("keyed-headers");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of()))
        .keyBy(v -> v.substring(0, 1))
        .process(new KeyedProcessor<String, String, String>() {
          @Override
          public void process(String key, String value, KeyedContext<String, String> ctx) {
            ctx.emit(value + "@" + ctx.headers().lastString("trace"));
            ctx.registerEventTimeTimer(ctx.timestamp().plusSeconds(1));
          }

          @Override
          public void onTimer(String key, Instant time, io.nip.time.TimeDomain domain,
              KeyedContext<String, String> ctx) {
            ctx.emit(key + "-timer@" + ctx.headers().lastString("trace"));
          }
        })
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When: two records, one with a trace header, then the watermark passes their timers
      driver.<String>input("in").pipe("a1", T0, trace("t1")).pipe("b1", T0);
      driver.advanceEventTime(T0.plusSeconds(2));
    }
    // Then: each record saw its own headers; the timers saw none
    assertThat(out.written).contains("a1@t1 key=a Headers[trace=t1]", "b1@null key=b Headers[]");
    assertThat(out.written.stream().filter(w -> w.contains("-timer@"))).containsExactlyInAnyOrder(
        "a-timer@null key=a Headers[]", "b-timer@null key=b Headers[]");
  }

  @Test
  void when_process_emits_then_each_result_has_the_record_s_headers_or_its_own_in_order() {
    // Given: one processor that drops, passes and splits records, some with headers of their own
    Pipeline p = Pipeline.named("process-headers", PipelineConfig.builder().parallelism(2).build());
    EnvelopeSink<String> out = new EnvelopeSink<>();
    p.from(Sources.<String>collection("in", List.of()))
        .process((RecordProcessor<String, String>) (v, ctx) -> {
          if (v.isEmpty()) {
            return;
          }
          for (String part : v.split(",")) {
            ctx.emit(part, part.length() > 1 ? ctx.headers().with("long", "y") : ctx.headers());
          }
        })
        .keyBy(v -> v)
        .process((KeyedProcessor<String, String, String>) (k, v, ctx) -> ctx.emit(v))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("a,bb,c", T0, trace("t1")).pipe("", T0, trace("t2")).pipe("dd", T0);
      // Then: the empty record emitted nothing; the headers crossed the key exchange with each result
      assertThat(out.written).containsExactlyInAnyOrder("a key=a Headers[trace=t1]",
          "bb key=bb Headers[trace=t1, long=y]", "c key=c Headers[trace=t1]", "dd key=dd Headers[long=y]");
    }
  }

  @Test
  void when_process_throws_after_emitting_then_nothing_it_emitted_goes_on_and_a_retry_starts_afresh() {
    // Given: a processor that emits, then fails on the first attempt for each record
    Pipeline p = Pipeline.named("process-retry");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    java.util.Map<String, Integer> attempts = new java.util.HashMap<>();
    p.from(Sources.<String>collection("in", List.of()))
        .process((RecordProcessor<String, String>) (v, ctx) -> {
          int n = attempts.merge(v, 1, Integer::sum);
          ctx.emit(v + "#" + n);
          if (n == 1 || v.equals("never")) {
            throw new IllegalStateException("fails on attempt " + n);
          }
        }, Op.named("flaky").onError(ErrorPolicy.retry(3, Duration.ZERO).orElse(ErrorPolicy.skip())))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("a", T0).pipe("never", T0).pipe("b", T0);
      // Then: only the successful attempt's result; "never" failed every attempt and skipped
      assertThat(out.written).containsExactly("a#2 key=null Headers[]", "b#2 key=null Headers[]");
      assertThat(attempts).containsEntry("never", 4);
    }
  }

  @Test
  void when_a_context_is_used_after_its_call_then_it_is_refused() {
    Pipeline p = Pipeline.named("process-leak");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    List<RecordContext<String>> leaked = new ArrayList<>();
    p.from(Sources.<String>collection("in", List.of()))
        .process((RecordProcessor<String, String>) (v, ctx) -> {
          leaked.add(ctx);
          ctx.emit(v);
        })
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      driver.<String>input("in").pipe("a", T0);
      assertThat(out.written).containsExactly("a key=null Headers[]");
      assertThatThrownBy(() -> leaked.get(0).emit("late"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("during its call only");
      assertThatThrownBy(() -> leaked.get(0).headers())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("during its call only");
    }
  }

  @Test
  void when_process_throws_under_a_dead_letter_policy_then_the_record_goes_there_with_its_headers_and_nothing_else() {
    // Given: a processor that emits, then fails on "bad"; a failure downstream of it on "worse"
    Pipeline p = Pipeline.named("process-dead-letter");
    EnvelopeSink<String> out = new EnvelopeSink<>();
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    int[] calls = {0};
    p.from(Sources.<String>collection("in", List.of()))
        .process((RecordProcessor<String, String>) (v, ctx) -> {
          calls[0]++;
          ctx.emit(v + "!", ctx.headers().with("step", "1"));
          if (v.equals("bad")) {
            throw new IllegalArgumentException("bad input");
          }
        }, Op.named("tag").onError(ErrorPolicy.deadLetter(dlq)))
        .map(v -> {
          if (v.equals("worse!")) {
            throw new IllegalStateException("downstream");
          }
          return v;
        }, Op.named("check").onError(ErrorPolicy.skip()))
        .to(out);
    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<String>input("in").pipe("ok", T0, trace("t1")).pipe("bad", T0, trace("t2")).pipe("worse", T0);
      // Then: the failed call emitted nothing and its record is a dead letter with the headers it came
      // with; a failure after the operator is the next operator's, not retried or dead-lettered here
      assertThat(out.written).containsExactly("ok! key=null Headers[trace=t1, step=1]");
      assertThat(driver.<DeadLetter>output(dlq)).singleElement().satisfies(dl -> {
        assertThat(dl.operator()).isEqualTo("tag");
        assertThat(dl.headers().lastString("trace")).isEqualTo("t2");
        assertThat(dl.headers().lastString("step")).isNull();
      });
      assertThat(calls[0]).isEqualTo(3);
    }
  }
}
