package io.nip.source.internal;

import io.nip.event.GenericEvent;
import io.nip.source.GeneratorSpec;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.Map;

/**
 * Synthetic events. Each event is a pure function of (seed, partition, sequence number) through the
 * SplitMix64 mixer, so a partition resumed at a position continues with the very same events, and
 * no shared Random is contended. Pacing uses the pipeline clock: a partition emits at most
 * {@code rate / partitions} events per second since it started.
 */
public final class GeneratorSource implements Source<GenericEvent> {
  private final String name;
  private final GeneratorSpec spec;

  /**
   * @param name source name
   * @param spec settings
   */
  public GeneratorSource(String name, GeneratorSpec spec) {
    this.name = name;
    this.spec = spec;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int partitions() {
    return spec.partitions();
  }

  @Override
  public boolean isBounded() {
    return spec.events() > 0;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * @param spec settings
   * @param partition partition
   * @param seq sequence number within the partition
   * @return the event at that place
   */
  public static GenericEvent eventAt(GeneratorSpec spec, int partition, long seq) {
    long global = seq * spec.partitions() + partition;
    long r1 = mix(spec.seed() * 0x9E3779B97F4A7C15L + global);
    long r2 = mix(r1);
    long r3 = mix(r2);
    boolean bot = spec.botRatio() > 0 && ((r1 >>> 11) * 0x1.0p-53) < spec.botRatio();
    int keyIndex = (int) Math.floorMod(r2, (long) spec.keys());
    String key = (bot ? "bot_" : "user_") + keyIndex;
    String type = spec.eventTypes().get((int) Math.floorMod(r3 >>> 8, (long) spec.eventTypes().size()));
    long disorderMs = spec.maxDisorder().toMillis();
    long jitter = disorderMs == 0 ? 0 : Math.floorMod(r3 >>> 20, disorderMs + 1);
    long t = spec.startTime().toEpochMilli() + seq * spec.timeStep().toMillis() - jitter;
    double value = Math.floorMod(r1 >>> 3, 100_000L) / 100.0;
    return new GenericEvent(name(partition, seq), key, type, Instant.ofEpochMilli(t), Map.of("value", value));
  }

  private static String name(int partition, long seq) {
    return "evt-" + partition + "-" + seq;
  }

  private long eventsOf(int partition) {
    long total = spec.events();
    long base = total / spec.partitions();
    return base + (partition < total % spec.partitions() ? 1 : 0);
  }

  @Override
  public SourceReader<GenericEvent> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    NipClock clock = context.clock();
    long limit = spec.events() == 0 ? Long.MAX_VALUE : eventsOf(partition);
    double perMilli = spec.ratePerSecond() / 1000.0 / spec.partitions();
    return new SourceReader<>() {
      private long next = SourcePosition.offsetOr(startPosition, 0);
      private final long startSeq = next;
      private final long startMillis = clock.millis();

      @Override
      public Status poll(SourceOutput<GenericEvent> output, int maxRecords) {
        long allowed = maxRecords;
        if (perMilli > 0) {
          long due = (long) ((clock.millis() - startMillis) * perMilli) - (next - startSeq);
          allowed = Math.min(allowed, Math.max(0, due));
        }
        for (long i = 0; i < allowed && next < limit; i++) {
          GenericEvent e = eventAt(spec, partition, next);
          output.emit(e, null, next++, SourceOutput.NO_TIMESTAMP);
        }
        if (next >= limit) {
          return Status.END_OF_INPUT;
        }
        return allowed > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
      }

      @Override
      public SourcePosition position() {
        return SourcePosition.ofOffset(next);
      }

      @Override
      public void close() {}
    };
  }
}
