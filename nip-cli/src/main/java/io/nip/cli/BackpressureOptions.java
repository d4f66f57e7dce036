package io.nip.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.ConfigurationException;
import io.nip.examples.analytics.AnalyticsPipeline;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The backpressure options of the commands that run exercise 1 ({@code nip demo analytics},
 * {@code nip run analytics}), a picocli mixin: {@code --buffer-size N} (records per input
 * partition), {@code --overflow block|drop-oldest|drop-newest}, {@code --rate-limit EVENTS/S} and
 * {@code --burst N}.
 *
 * <p>Why a mixin: both commands show the same options with the same help and refuse the same bad
 * values with the same messages. Values that are not numbers or strategies are refused while
 * parsing; ranges and combinations by {@link #validate()}, both as picocli parameter errors (exit
 * code 2, the message names the option and the value). Without any of them the job keeps the
 * engine's default: a full keyed inbox stops the source task, nothing is lost. Not thread-safe;
 * one per command invocation.
 */
final class BackpressureOptions {
  /** The overflow strategies as the option spells them. */
  static final String STRATEGIES = "block|drop-oldest|drop-newest";

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--buffer-size", paramLabel = "N",
      description = "backpressure: a bounded buffer of N records (1 to " + BufferManager.MAX_SIZE
          + ") between each input partition's fetch and its task (default: none; a full keyed inbox pauses the input)")
  Integer bufferSize;

  @Option(names = "--overflow", paramLabel = STRATEGIES, converter = StrategyConverter.class,
      description = "what a full --buffer-size buffer does: block pauses the input, nothing lost (default); "
          + "drop-oldest / drop-newest keep reading and drop records, counted in the summary and in nip.buffer.dropped")
  BackpressureStrategy overflow;

  @Option(names = "--rate-limit", paramLabel = "EVENTS/S",
      description = "at most this many events per second reach the windows (" + RateLimiter.MIN_RATE + " to 1e9; "
          + "bots do not count); the input waits in its buffer (default: no limit)")
  Double rateLimit;

  @Option(names = "--burst", paramLabel = "N",
      description = "with --rate-limit: events that may pass at once after a quiet period, 1 to 1000000 "
          + "(default: one second's worth of --rate-limit)")
  Integer burst;

  /**
   * Checks ranges and combinations: {@code --overflow} needs {@code --buffer-size}, {@code --burst}
   * needs {@code --rate-limit}.
   *
   * @throws ParameterException naming the option and its value
   */
  void validate() {
    if (overflow != null && bufferSize == null) {
      throw error("--overflow " + spelled(overflow) + " needs --buffer-size N (the buffer that overflows)");
    }
    if (burst != null && rateLimit == null) {
      throw error("--burst " + burst + " needs --rate-limit EVENTS/S");
    }
    buffer();
    limiter();
  }

  /** @return the buffer the options ask for, or null without {@code --buffer-size} */
  BufferManager buffer() {
    if (bufferSize == null) {
      return null;
    }
    try {
      return BufferManager.of(bufferSize, overflow != null ? overflow : BackpressureStrategy.BLOCK);
    } catch (ConfigurationException e) {
      throw error("--buffer-size must be between 1 and " + BufferManager.MAX_SIZE + " records, but was " + bufferSize);
    }
  }

  /** @return the rate limiter the options ask for, or null without {@code --rate-limit} */
  RateLimiter limiter() {
    if (rateLimit == null) {
      return null;
    }
    if (!(rateLimit >= RateLimiter.MIN_RATE && rateLimit <= RateLimiter.MAX_RATE)) {
      throw error("--rate-limit must be between " + RateLimiter.MIN_RATE + " and 1e9 events per second, but was "
          + rateLimit);
    }
    int b = burst != null ? burst : (int) Math.max(1, Math.min(1_000_000, Math.ceil(rateLimit)));
    if (b < 1 || b > 1_000_000) {
      throw error("--burst must be between 1 and 1000000 events, but was " + b);
    }
    return new RateLimiter(rateLimit, b);
  }

  /**
   * Gives the job the buffer and the rate limit, when asked for.
   *
   * @param job the analytics job's builder
   */
  void applyTo(AnalyticsPipeline.Builder job) {
    BufferManager b = buffer();
    if (b != null) {
      job.backpressure(b);
    }
    RateLimiter l = limiter();
    if (l != null) {
      job.rateLimit(l);
    }
  }

  /** @return true when a strategy that drops records is in use */
  boolean drops() {
    return bufferSize != null && overflow != null && overflow != BackpressureStrategy.BLOCK;
  }

  /**
   * @return the setting for a summary, e.g. {@code "buffer 10,000 per partition, drop-oldest; rate limit
   *     5,000 events/s, burst 5,000"}, or {@code "none"}
   */
  String description() {
    StringBuilder s = new StringBuilder();
    BufferManager b = buffer();
    if (b != null) {
      s.append(String.format("buffer %,d per partition, %s", b.maxSize(), spelled(b.overflow())));
    }
    RateLimiter l = limiter();
    if (l != null) {
      s.append(s.length() > 0 ? "; " : "")
          .append(String.format("rate limit %,.3f events/s, burst %,d", l.maxRate(), l.burstSize())
              .replace(".000 events", " events"));
    }
    return s.length() > 0 ? s.toString() : "none";
  }

  /**
   * @param registry the job's meters
   * @return the records its source buffers dropped ({@code nip.buffer.dropped}, all partitions)
   */
  static long dropped(MeterRegistry registry) {
    return (long) registry.find("nip.buffer.dropped").counters().stream().mapToDouble(Counter::count).sum();
  }

  /**
   * @param s a strategy
   * @return its name as the option spells it, e.g. {@code drop-oldest}
   */
  static String spelled(BackpressureStrategy s) {
    return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private ParameterException error(String message) {
    return new ParameterException(command.commandLine(), message);
  }

  /** Reads {@code block}, {@code drop-oldest}, {@code drop-newest} (any case, '_' for '-'). */
  static final class StrategyConverter implements ITypeConverter<BackpressureStrategy> {
    @Override
    public BackpressureStrategy convert(String value) {
      try {
        return BackpressureStrategy.fromName(value.trim().replace('-', '_'));
      } catch (ConfigurationException e) {
        throw new TypeConversionException("'" + value + "' is not an overflow strategy; use block, drop-oldest or "
            + "drop-newest");
      }
    }
  }
}
