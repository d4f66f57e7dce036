package io.nip.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.event.GenericEvent;
import io.nip.event.Headers;
import io.nip.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The synthetic generator's determinism, resumption and pacing, read directly through its readers. */
class GeneratorSourceTest {
  private static final ManualClock CLOCK = new ManualClock(Instant.parse("2026-01-17T17:00:00Z"));
  private static final SourceContext CONTEXT = new SourceContext("test", CLOCK, new SimpleMeterRegistry());

  /** Collects what a reader emits, with positions. */
  private static final class Collect implements SourceOutput<GenericEvent> {
    final List<GenericEvent> values = new ArrayList<>();
    final List<Long> positions = new ArrayList<>();

    @Override
    public void emit(GenericEvent value, Object key, Headers headers, byte[] rawBytes, long position,
        long sourceTimestampMillis) {
      values.add(value);
      positions.add(position);
    }

    @Override
    public void emit(GenericEvent value, Object key, Headers headers, byte[] rawBytes, SourcePosition position,
        long sourceTimestampMillis) {
      throw new AssertionError("the generator emits offsets");
    }

    @Override
    public void fail(byte[] rawBytes, SourcePosition position, Throwable error) {
      throw new AssertionError("generator never fails", error);
    }
  }

  private static Collect readAll(Source<GenericEvent> source, int partition, long start, int batch) {
    Collect c = new Collect();
    try (SourceReader<GenericEvent> r = source.createReader(partition, CONTEXT, start)) {
      while (r.poll(c, batch) != SourceReader.Status.END_OF_INPUT) {
        // keep reading
      }
    }
    return c;
  }

  @Test
  void when_two_readers_use_the_same_spec_then_they_produce_the_same_events() {
    GeneratorSpec spec = GeneratorSpec.builder().events(500).keys(20).seed(99).partitions(3).build();
    for (int p = 0; p < 3; p++) {
      Collect a = readAll(Sources.generator("g", spec), p, SourceReader.NO_POSITION, 64);
      Collect b = readAll(Sources.generator("g", spec), p, SourceReader.NO_POSITION, 7);
      assertThat(b.values).isEqualTo(a.values);
    }
  }

  @Test
  void when_the_seed_differs_then_the_events_differ() {
    Collect a = readAll(Sources.generator("g", GeneratorSpec.builder().events(100).seed(1).build()), 0, -1, 100);
    Collect b = readAll(Sources.generator("g", GeneratorSpec.builder().events(100).seed(2).build()), 0, -1, 100);
    assertThat(a.values).isNotEqualTo(b.values);
  }

  @Test
  void when_a_reader_starts_at_position_k_then_it_continues_exactly_like_an_uninterrupted_run() {
    // Given
    GeneratorSpec spec = GeneratorSpec.builder().events(300).keys(10).partitions(2).build();
    Collect full = readAll(Sources.generator("g", spec), 1, SourceReader.NO_POSITION, 32);
    // When
    Collect resumed = readAll(Sources.generator("g", spec), 1, 100, 32);
    // Then
    assertThat(resumed.values).isEqualTo(full.values.subList(100, full.values.size()));
    assertThat(resumed.positions.get(0)).isEqualTo(100L);
    assertThat(full.positions).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, 150).boxed().toList());
  }

  @Test
  void when_events_are_split_over_partitions_then_every_event_appears_once() {
    GeneratorSpec spec = GeneratorSpec.builder().events(1_001).partitions(4).build();
    List<String> ids = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      readAll(Sources.generator("g", spec), p, -1, 128).values.forEach(e -> ids.add(e.eventId()));
    }
    assertThat(ids).hasSize(1_001).doesNotHaveDuplicates();
  }

  @Test
  void when_the_rate_is_limited_then_the_reader_emits_only_what_the_clock_allows() {
    // Given: 1,000 events per second on a manual clock
    ManualClock clock = new ManualClock(Instant.EPOCH);
    Source<GenericEvent> gen = Sources.generator("g", GeneratorSpec.builder().events(0).ratePerSecond(1_000).build());
    Collect c = new Collect();
    try (SourceReader<GenericEvent> r = gen.createReader(0, new SourceContext("t", clock, new SimpleMeterRegistry()), -1)) {
      // When / Then
      assertThat(r.poll(c, 512)).isEqualTo(SourceReader.Status.NOTHING_AVAILABLE);
      clock.advance(Duration.ofMillis(100));
      r.poll(c, 512);
      assertThat(c.values).hasSize(100);
      assertThat(gen.isBounded()).isFalse();
    }
  }

  @Test
  void generated_event_times_stay_within_the_configured_disorder() {
    GeneratorSpec spec = GeneratorSpec.builder().events(1_000).timeStep(Duration.ofMillis(10))
        .maxDisorder(Duration.ofSeconds(1)).build();
    Collect c = readAll(Sources.generator("g", spec), 0, -1, 256);
    for (int i = 0; i < c.values.size(); i++) {
      Instant slot = spec.startTime().plusMillis(10L * i);
      assertThat(c.values.get(i).eventTime()).isBetween(slot.minusSeconds(1), slot);
    }
  }
}
