package io.nip.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.WatermarkStrategy;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Source positions are never committed past a record still held in an open window. */
class WindowCommitTest {

  /** Emits its events, then waits forever (like a topic), recording what the runtime commits. */
  static final class RecordingSource implements Source<Ev> {
    final List<Ev> events;
    final List<Long> commits = new CopyOnWriteArrayList<>();

    RecordingSource(List<Ev> events) {
      this.events = events;
    }

    @Override
    public String name() {
      return "recorded";
    }

    @Override
    public int partitions() {
      return 1;
    }

    @Override
    public boolean isBounded() {
      return false;
    }

    @Override
    public SourceReader<Ev> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        int next;

        @Override
        public Status poll(SourceOutput<Ev> output, int maxRecords) {
          int n = 0;
          while (n < maxRecords && next < events.size()) {
            output.emit(events.get(next), null, next, SourceOutput.NO_TIMESTAMP);
            next++;
            n++;
          }
          return n > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
        }

        @Override
        public SourcePosition position() {
          return SourcePosition.ofOffset(next);
        }

        @Override
        public void commit(long position) {
          commits.add(position);
        }

        @Override
        public void close() {}
      };
    }
  }

  @Test
  void when_a_pipeline_stops_with_open_windows_then_the_committed_position_stays_before_their_records() {
    stopWithOpenWindows(false);
  }

  @Test
  void with_keyed_state_in_the_source_task_the_committed_position_also_stays_before_open_windows() {
    stopWithOpenWindows(true);
  }

  private static void stopWithOpenWindows(boolean partitioned) {
    // offsets 0..3 fall in window [0, 60s), which closes; offsets 4..6 in [60s, 120s), still open
    List<Ev> events = List.of(new Ev("a", 1_000), new Ev("b", 2_000), new Ev("a", 30_000), new Ev("b", 59_000),
        new Ev("a", 61_000), new Ev("b", 62_000), new Ev("a", 75_000));
    RecordingSource source = new RecordingSource(events);
    CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("commit", PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(20))
        .idleTimeout(Duration.ofHours(1)).build());
    io.nip.pipeline.Stream<Ev> in = p.from(source,
        WatermarkStrategy.<Ev>boundedOutOfOrderness(Duration.ZERO).withTimestamps(e -> Instant.ofEpochMilli(e.t())));
    (partitioned ? in.keyByPartitioned(Ev::key) : in.keyBy(Ev::key))
        .window(TumblingWindow.of(Duration.ofMinutes(1))).aggregate(Aggregates.count()).to(out);
    PipelineHandle h = p.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (out.size() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    h.close();
    assertThat(out.values()).extracting(r -> r.key() + "=" + r.value()).containsExactlyInAnyOrder("a=2", "b=2");
    assertThat(source.commits).isNotEmpty().allMatch(c -> c <= 4);
    assertThat(source.commits.get(source.commits.size() - 1)).isEqualTo(4L);
  }
}
