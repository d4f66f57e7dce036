package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.WatermarkStrategy;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A partition whose ownership is not known yet (a consumer group still joining) holds the keyed
 * watermark back: an empty partition that ends first must not make the other partition's first
 * events late.
 */
class StartupWatermarkTest {
  private static final Instant T = Instant.parse("2026-01-17T17:00:01Z");

  /** Partition 0 is empty and ends after a while; partition 1 is unassigned for a while, then delivers one event. */
  private static final class LateAssignmentSource implements Source<Instant> {
    @Override
    public String name() {
      return "in";
    }

    @Override
    public int partitions() {
      return 2;
    }

    @Override
    public boolean isBounded() {
      return true;
    }

    @Override
    public SourceReader<Instant> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        int polls;
        boolean sent;

        @Override
        public Status poll(SourceOutput<Instant> output, int maxRecords) {
          polls++;
          if (partition == 0) {
            return polls > 100 ? Status.END_OF_INPUT : Status.NOTHING_AVAILABLE;
          }
          if (polls <= 200) {
            return Status.NOTHING_AVAILABLE;
          }
          if (!sent) {
            sent = true;
            output.emit(T, null, 0, T.toEpochMilli());
            return Status.MORE_AVAILABLE;
          }
          return Status.END_OF_INPUT;
        }

        @Override
        public boolean isAssigned() {
          return true; // ownership not known yet: it holds the watermark back
        }

        @Override
        public SourcePosition position() {
          return SourcePosition.ofOffset(sent ? 1 : 0);
        }

        @Override
        public void close() {}
      };
    }
  }

  private static CollectingSink<Object> run(Source<Instant> source) {
    Pipeline p = Pipeline.named("late-assignment", PipelineConfig.builder().threads(1).build());
    CollectingSink<Object> out = Sinks.collecting("out");
    WindowOutput<String, Long, Instant> w = p.from(source,
            WatermarkStrategy.<Instant>boundedOutOfOrderness(Duration.ofSeconds(30)).withTimestamps(t -> t))
        .keyBy(t -> "user_1").window(TumblingWindow.of(Duration.ofMinutes(5))).aggregate(Aggregates.count());
    w.to(out);
    w.lateEvents().to(Sinks.forEach("late", e -> { }));
    assertThat(p.start().awaitTermination(Duration.ofSeconds(10))).isTrue();
    return out;
  }

  @Test
  void when_a_partition_delivers_after_an_empty_one_ended_then_its_events_still_reach_their_window() {
    assertThat(run(new LateAssignmentSource()).values()).hasSize(1);
  }

}
