package io.nip.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.state.CheckpointStorage;
import io.nip.state.StateBackend;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable, validated settings of a pipeline. Every bad value is rejected when {@link
 * Builder#build()} runs, with a message naming the setting and the value.
 *
 * <pre>{@code
 * PipelineConfig cfg = PipelineConfig.builder().threads(4).maxOutOfOrderness(Duration.ofSeconds(10))
 *     .errorPolicy(ErrorPolicy.deadLetter(dlq)).build();
 * }</pre>
 */
public final class PipelineConfig {
  /** The checkpoint interval by default: 5 s. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(5);
  /**
   * The checkpoint interval by default under {@link Guarantee#EXACTLY_ONCE}: 100 ms, because results
   * become visible only when their checkpoint commits.
   */
  public static final Duration EXACTLY_ONCE_COMMIT_INTERVAL = Duration.ofMillis(100);
  /** How long an input without a watermark holds the others back under watermark alignment by default: 5 s. */
  public static final Duration DEFAULT_ALIGNMENT_STARTUP_WAIT = Duration.ofSeconds(5);
  private final int threads;
  private final int parallelism;
  private final int batchSize;
  private final int exchangeCapacity;
  private final Duration maxOutOfOrderness;
  private final Duration idleTimeout;
  /** Null: no watermark alignment. */
  private final Duration watermarkAlignment;
  private final Duration alignmentStartupWait;
  private final Duration maxEventTimeAhead;
  private final Duration commitInterval;
  private final long checkpointEveryEvents;
  private final Duration checkpointTimeout;
  private final ErrorPolicy errorPolicy;
  private final MeterRegistry meterRegistry;
  private final boolean operatorMetrics;
  private final NipClock clock;
  private final StateBackend stateBackend;
  private final CheckpointStorage checkpointStorage;
  private final Guarantee guarantee;
  private final io.nip.backpressure.BufferManager bufferManager;
  /** The interval the builder was given, or null for the guarantee's default. */
  private final Duration givenCommitInterval;

  private PipelineConfig(Builder b) {
    this.threads = b.threads;
    this.parallelism = b.parallelism == 0 ? b.threads : b.parallelism;
    this.batchSize = b.batchSize;
    this.exchangeCapacity = b.exchangeCapacity;
    this.maxOutOfOrderness = b.maxOutOfOrderness;
    this.idleTimeout = b.idleTimeout;
    this.watermarkAlignment = b.watermarkAlignment;
    this.alignmentStartupWait = b.alignmentStartupWait;
    this.maxEventTimeAhead = b.maxEventTimeAhead;
    this.guarantee = b.guarantee;
    this.givenCommitInterval = b.commitInterval;
    this.commitInterval = b.commitInterval != null ? b.commitInterval
        : b.guarantee == Guarantee.EXACTLY_ONCE ? EXACTLY_ONCE_COMMIT_INTERVAL : DEFAULT_COMMIT_INTERVAL;
    this.checkpointEveryEvents = b.checkpointEveryEvents;
    this.checkpointTimeout = b.checkpointTimeout;
    this.errorPolicy = b.errorPolicy;
    this.meterRegistry = b.meterRegistry == null ? new SimpleMeterRegistry() : b.meterRegistry;
    this.operatorMetrics = b.operatorMetrics;
    this.clock = b.clock;
    this.stateBackend = b.stateBackend;
    this.checkpointStorage = b.checkpointStorage;
    this.bufferManager = b.bufferManager;
  }

  /** @return the defaults: threads = cores, 30 s out-of-orderness, SKIP on errors, in-memory state */
  public static PipelineConfig defaults() {
    return builder().build();
  }

  /** @return a builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads settings from string properties, e.g. from a file. Keys: {@code threads},
   * {@code parallelism}, {@code batch.size}, {@code exchange.capacity},
   * {@code max.out.of.orderness}, {@code idle.timeout}, {@code watermark.alignment} (the maximum drift)
   * with {@code watermark.alignment.startup.wait},
   * {@code max.event.time.ahead},
   * {@code commit.interval}, {@code checkpoint.every.events} (a whole number, 0 = off),
   * {@code checkpoint.timeout} (durations in
   * ISO-8601 like {@code PT30S} or as milliseconds), {@code error.policy} ({@code fail} or
   * {@code skip}), {@code checkpoint.directory} (a local-directory checkpoint storage), {@code guarantee}
   * ({@code at-least-once} or {@code exactly-once}), {@code buffer.size} (records per source
   * partition: a {@link io.nip.backpressure.BufferManager}) with {@code buffer.overflow}
   * ({@code block}, the default, {@code drop_oldest} or {@code drop_newest}). Unknown
   * keys are rejected.
   *
   * @param props the properties
   * @return a builder holding them, to add what cannot be written as text (registry, clock)
   */
  public static Builder fromProperties(Map<String, String> props) {
    Builder b = builder();
    String bufferSize = null;
    String overflow = null;
    boolean startupWait = false;
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      String v = e.getValue().trim();
      switch (k) {
        case "threads": b.threads(parseInt(k, v)); break;
        case "parallelism": b.parallelism(parseInt(k, v)); break;
        case "batch.size": b.batchSize(parseInt(k, v)); break;
        case "exchange.capacity": b.exchangeCapacity(parseInt(k, v)); break;
        case "max.out.of.orderness": b.maxOutOfOrderness(parseDuration(k, v)); break;
        case "idle.timeout": b.idleTimeout(parseDuration(k, v)); break;
        case "watermark.alignment": b.watermarkAlignment(parseDuration(k, v)); break;
        case "watermark.alignment.startup.wait":
          b.alignmentStartupWait = Builder.notNegative(k, parseDuration(k, v));
          startupWait = true;
          break;
        case "max.event.time.ahead": b.maxEventTimeAhead(parseDuration(k, v)); break;
        case "commit.interval": b.commitInterval(parseDuration(k, v)); break;
        case "checkpoint.every.events": b.checkpointEveryEvents(parseLong(k, v)); break;
        case "checkpoint.timeout": b.checkpointTimeout(parseDuration(k, v)); break;
        case "guarantee": b.guarantee(parseGuarantee(k, v)); break;
        case "buffer.size": bufferSize = v; break;
        case "buffer.overflow": overflow = v; break;
        case "checkpoint.directory":
          b.checkpointStorage(CheckpointStorage.localDirectory(java.nio.file.Path.of(v)));
          break;
        case "error.policy":
          if (v.equalsIgnoreCase("fail")) {
            b.errorPolicy(ErrorPolicy.fail());
          } else if (v.equalsIgnoreCase("skip")) {
            b.errorPolicy(ErrorPolicy.skip());
          } else {
            throw ConfigurationException.invalid(k, "'" + v + "'", "must be 'fail' or 'skip'");
          }
          break;
        default:
          throw new ConfigurationException(k, "unknown setting");
      }
    }
    if (startupWait && b.watermarkAlignment == null) {
      throw new ConfigurationException("watermark.alignment.startup.wait", "needs watermark.alignment");
    }
    if (overflow != null && bufferSize == null) {
      throw new ConfigurationException("buffer.overflow", "needs buffer.size");
    }
    if (bufferSize != null) {
      b.bufferManager(io.nip.backpressure.BufferManager.of(parseInt("buffer.size", bufferSize),
          overflow == null ? io.nip.backpressure.BackpressureStrategy.BLOCK
              : io.nip.backpressure.BackpressureStrategy.fromName(overflow)));
    }
    return b;
  }

  private static Guarantee parseGuarantee(String key, String v) {
    switch (v.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
      case "at-least-once": return Guarantee.AT_LEAST_ONCE;
      case "exactly-once": return Guarantee.EXACTLY_ONCE;
      default: throw ConfigurationException.invalid(key, "'" + v + "'", "must be 'at-least-once' or 'exactly-once'");
    }
  }

  private static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ConfigurationException.invalid(key, "'" + v + "'", "must be a whole number");
    }
  }

  private static long parseLong(String key, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ConfigurationException.invalid(key, "'" + v + "'", "must be a whole number");
    }
  }

  private static Duration parseDuration(String key, String v) {
    try {
      return v.startsWith("P") || v.startsWith("p") ? Duration.parse(v) : Duration.ofMillis(Long.parseLong(v));
    } catch (RuntimeException e) {
      throw ConfigurationException.invalid(key, "'" + v + "'", "must be an ISO-8601 duration (PT30S) or milliseconds");
    }
  }

  /** @return worker threads */
  public int threads() {
    return threads;
  }

  /** @return tasks per keyed stage (key groups) */
  public int parallelism() {
    return parallelism;
  }

  /** @return most records a source task reads per round */
  public int batchSize() {
    return batchSize;
  }

  /** @return batches an exchange inbox holds before upstream tasks pause */
  public int exchangeCapacity() {
    return exchangeCapacity;
  }

  /**
   * @return how far a record's event time may be ahead of the pipeline clock; a record further
   *     ahead is bad input (default one day)
   */
  public Duration maxEventTimeAhead() {
    return maxEventTimeAhead;
  }

  /** @return default allowed out-of-orderness of event time */
  public Duration maxOutOfOrderness() {
    return maxOutOfOrderness;
  }

  /** @return silence after which a partition stops holding the watermark back */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * @return the maximum drift of watermark alignment (see {@link Builder#watermarkAlignment}); empty
   *     when inputs are not aligned (the default)
   */
  public java.util.Optional<Duration> watermarkAlignment() {
    return java.util.Optional.ofNullable(watermarkAlignment);
  }

  /**
   * @return how long, from a keyed task's start, an input that has not reported a watermark yet holds
   *     the others back under watermark alignment (see {@link Builder#watermarkAlignment(Duration,
   *     Duration)}; default {@link #DEFAULT_ALIGNMENT_STARTUP_WAIT})
   */
  public Duration alignmentStartupWait() {
    return alignmentStartupWait;
  }

  /** @return what the output promises after a failure; {@link Guarantee#AT_LEAST_ONCE} by default */
  public Guarantee guarantee() {
    return guarantee;
  }

  /**
   * @return how often a checkpoint is taken: a barrier flows from the sources, every task snapshots
   *     its state at it (when a checkpoint storage is configured), and source positions are
   *     committed once every task acknowledged it
   */
  public Duration commitInterval() {
    return commitInterval;
  }

  /**
   * @return how many records entering the pipeline's sources (all partitions together) request a
   *     checkpoint, besides the {@link #commitInterval()}; 0 when only the interval applies
   */
  public long checkpointEveryEvents() {
    return checkpointEveryEvents;
  }

  /**
   * @return how long a checkpoint may take, from its request until every task acknowledged it;
   *     a checkpoint still incomplete then is aborted (default ten minutes)
   */
  public Duration checkpointTimeout() {
    return checkpointTimeout;
  }

  /** @return the default error policy */
  public ErrorPolicy errorPolicy() {
    return errorPolicy;
  }

  /** @return the meter registry metrics go to */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /**
   * @return true when every operator counts its records in and out and samples its processing time
   *     ({@code nip.operator.*} meters; default true)
   */
  public boolean operatorMetrics() {
    return operatorMetrics;
  }

  /** @return the clock the runtime reads time from */
  public NipClock clock() {
    return clock;
  }

  /** @return the state backend */
  public StateBackend stateBackend() {
    return stateBackend;
  }

  /**
   * @return where checkpoints are stored; empty when none is configured (then checkpoints only
   *     commit source positions, and keyed state starts empty after a restart)
   */
  public java.util.Optional<CheckpointStorage> checkpointStorage() {
    return java.util.Optional.ofNullable(checkpointStorage);
  }

  /**
   * @return the bounded buffer between each source partition's reader and its task, if one was set
   *     (without one a task reads a batch at a time and stops reading while its chain is blocked)
   */
  public java.util.Optional<io.nip.backpressure.BufferManager> bufferManager() {
    return java.util.Optional.ofNullable(bufferManager);
  }

  /** @return a builder initialised with this configuration */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.threads = threads;
    b.parallelism = parallelism;
    b.batchSize = batchSize;
    b.exchangeCapacity = exchangeCapacity;
    b.maxOutOfOrderness = maxOutOfOrderness;
    b.idleTimeout = idleTimeout;
    b.watermarkAlignment = watermarkAlignment;
    b.alignmentStartupWait = alignmentStartupWait;
    b.maxEventTimeAhead = maxEventTimeAhead;
    b.commitInterval = givenCommitInterval;
    b.guarantee = guarantee;
    b.checkpointEveryEvents = checkpointEveryEvents;
    b.checkpointTimeout = checkpointTimeout;
    b.errorPolicy = errorPolicy;
    b.meterRegistry = meterRegistry;
    b.operatorMetrics = operatorMetrics;
    b.clock = clock;
    b.stateBackend = stateBackend;
    b.checkpointStorage = checkpointStorage;
    b.bufferManager = bufferManager;
    return b;
  }

  /** Collects settings; {@link #build()} validates them together. */
  public static final class Builder {
    private int threads = Runtime.getRuntime().availableProcessors();
    private int parallelism;
    private int batchSize = 512;
    private int exchangeCapacity = 64;
    private Duration maxOutOfOrderness = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration watermarkAlignment;
    private Duration alignmentStartupWait = DEFAULT_ALIGNMENT_STARTUP_WAIT;
    private Duration maxEventTimeAhead = Duration.ofDays(1);
    /** Null: the default of the guarantee. */
    private Duration commitInterval;
    private Guarantee guarantee = Guarantee.AT_LEAST_ONCE;
    private long checkpointEveryEvents;
    private Duration checkpointTimeout = Duration.ofMinutes(10);
    private ErrorPolicy errorPolicy = ErrorPolicy.skip();
    private MeterRegistry meterRegistry;
    private boolean operatorMetrics = true;
    private NipClock clock = NipClock.system();
    private StateBackend stateBackend = StateBackend.inMemory();
    private CheckpointStorage checkpointStorage;
    private io.nip.backpressure.BufferManager bufferManager;

    private Builder() {}

    /**
     * @param threads worker threads, 1 to 1024
     * @return this
     */
    public Builder threads(int threads) {
      this.threads = range("threads", threads, 1, 1024);
      return this;
    }

    /**
     * @param parallelism tasks per keyed stage, 1 to 4096; 0 means "same as threads"
     * @return this
     */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism == 0 ? 0 : range("parallelism", parallelism, 1, 4096);
      return this;
    }

    /**
     * @param batchSize records per source read, 1 to 65536
     * @return this
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = range("batchSize", batchSize, 1, 65536);
      return this;
    }

    /**
     * @param capacity batches per exchange inbox that any input channel may fill (default 64), 1 to
     *     65536; each input channel also has 2 places of its own beyond these
     * @return this
     */
    public Builder exchangeCapacity(int capacity) {
      this.exchangeCapacity = range("exchangeCapacity", capacity, 1, 65536);
      return this;
    }

    /**
     * @param bound default allowed out-of-orderness, not negative
     * @return this
     */
    public Builder maxOutOfOrderness(Duration bound) {
      this.maxOutOfOrderness = notNegative("maxOutOfOrderness", bound);
      return this;
    }

    /**
     * @param timeout idle-partition timeout, positive
     * @return this
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive("idleTimeout", timeout);
      return this;
    }

    /**
     * Watermark alignment: a keyed stage stops taking records from an input whose watermark is more
     * than {@code maxDrift} ahead of its slowest input, until that one catches up, goes idle
     * ({@link #idleTimeout}) or ends; the producer of the paused input stops reading (for Kafka, its
     * partitions pause), as under backpressure. Without it, a fast input runs ahead and every one
     * of its records waits in state for the slow input's watermark: a stream joined with a table
     * topic is read while the table still loads, and a join or window holds what the slow side has
     * not caught up with. Inputs are compared at the keyed stage, per key group, and only those
     * that come straight from sources take part (not the output of an earlier keyed stage). An
     * input that has not reported a watermark yet (a consumer still joining its group, a partition
     * not fetched yet) holds the others back for at most the start-up wait (default {@link
     * #DEFAULT_ALIGNMENT_STARTUP_WAIT}, see {@link #watermarkAlignment(Duration, Duration)}) from
     * the task's start; after that only inputs with a watermark count, so an empty partition delays
     * the others once, at the start, and then holds back only the watermark, as always. It changes
     * the order in which inputs are read, not what event time decides (except that a dropping
     * source buffer drops a paused input's records, as under any backpressure); pauses are lifted
     * up to each checkpoint's barrier, so checkpoints never wait on them, and on stop. Off by
     * default.
     *
     * <pre>{@code
     * PipelineConfig.builder().watermarkAlignment(Duration.ofSeconds(30)).build(); // load the table first
     * }</pre>
     *
     * <p>Trade-off: a slow input that stays active but sends rarely (a table updated once an hour
     * with old timestamps, an unbounded table topic once it is loaded) holds the others back until
     * its idle timeout declares it idle; give such a source a short one
     * ({@code WatermarkStrategy#withIdleTimeout}, e.g. 1 s).
     *
     * @param maxDrift how far, in event time, an input may lead the slowest one; not negative
     *     ({@code Duration.ZERO}: none at all)
     * @return this
     * @throws ConfigurationException when {@code maxDrift} is negative
     * @throws NullPointerException when {@code maxDrift} is null
     */
    public Builder watermarkAlignment(Duration maxDrift) {
      return watermarkAlignment(maxDrift, alignmentStartupWait);
    }

    /**
     * Watermark alignment (see {@link #watermarkAlignment(Duration)}) with its own start-up wait: the
     * time, from a keyed task's start (pipeline clock), during which an input that is live, not idle
     * and has not reported a watermark yet holds every input that has one back. It lets each source
     * deliver its first records before any other runs ahead (sources of one consumer group are
     * assigned one after the other); {@code Duration.ZERO} never waits, so an input counts only once
     * it reported a watermark.
     *
     * <pre>{@code
     * PipelineConfig.builder().watermarkAlignment(Duration.ofSeconds(30), Duration.ofSeconds(10)).build();
     * }</pre>
     *
     * @param maxDrift how far, in event time, an input may lead the slowest one; not negative
     * @param startupWait not negative; default {@link #DEFAULT_ALIGNMENT_STARTUP_WAIT}
     * @return this
     * @throws ConfigurationException when either is negative
     * @throws NullPointerException when either is null
     */
    public Builder watermarkAlignment(Duration maxDrift, Duration startupWait) {
      this.watermarkAlignment = notNegative("watermarkAlignment", maxDrift);
      this.alignmentStartupWait = notNegative("alignmentStartupWait", startupWait);
      return this;
    }

    /**
     * Bounds event time from above: a record whose event time is more than {@code bound} ahead of
     * the pipeline clock (a timestamp in milliseconds read as seconds, a year 9999 placeholder) is
     * bad input. It goes to the source's error policy (skip, dead letter, fail) with a reason
     * naming its event time and this bound, and never moves the watermark, so one absurd
     * timestamp cannot make every later record late. Default one day, which tolerates producer
     * clocks that run ahead; processing-time sources are not checked.
     *
     * <pre>{@code
     * PipelineConfig.builder().maxEventTimeAhead(Duration.ofHours(1)).build();
     * }</pre>
     *
     * @param bound positive; {@code Duration.ofMillis(Long.MAX_VALUE)} or longer turns the check off
     * @return this
     */
    public Builder maxEventTimeAhead(Duration bound) {
      this.maxEventTimeAhead = positive("maxEventTimeAhead", bound);
      return this;
    }

    /**
     * @param interval how often to take a checkpoint (commit state, source positions and, under
     *     {@link Guarantee#EXACTLY_ONCE}, the sinks' records), positive; default {@link
     *     #DEFAULT_COMMIT_INTERVAL} (5 s), or {@link #EXACTLY_ONCE_COMMIT_INTERVAL} (100 ms) under
     *     exactly-once
     * @return this
     */
    public Builder commitInterval(Duration interval) {
      this.commitInterval = positive("commitInterval", interval);
      return this;
    }

    /**
     * Also requests a checkpoint once {@code events} records entered the pipeline's sources (every
     * partition counted, bad records included) since the previous checkpoint was requested, besides
     * the time interval ({@link #commitInterval}). A source task reads no further than the count
     * before it sends the barrier, so with one source partition the barriers fall exactly every
     * {@code events} records; with several, partitions read concurrently and a barrier may fall a
     * few records later. While a checkpoint is in flight none is requested; the count goes on.
     *
     * <pre>{@code
     * PipelineConfig.builder().checkpointEveryEvents(1_000).build();   // the tutorial's checkpoint_interval=1000
     * }</pre>
     *
     * @param events a count from 1 to {@code Long.MAX_VALUE}, or 0 for none (the default)
     * @return this
     */
    public Builder checkpointEveryEvents(long events) {
      if (events < 0) {
        throw ConfigurationException.invalid("checkpointEveryEvents", events, "must be 0 (off) or positive");
      }
      this.checkpointEveryEvents = events;
      return this;
    }

    /**
     * Bounds how long a checkpoint may take, measured on the pipeline clock from its request: a
     * checkpoint that not every task acknowledged by then (a sink whose flush hangs, a task stuck in
     * user code) is aborted, counted in the counter {@code nip.checkpoints.aborted} (tag
     * {@code pipeline}) and logged; it is never completed, so nothing is ever restored from it, and
     * its barriers that arrive later are ignored. The next checkpoint is requested as usual.
     *
     * @param timeout positive; default ten minutes
     * @return this
     */
    public Builder checkpointTimeout(Duration timeout) {
      this.checkpointTimeout = positive("checkpointTimeout", timeout);
      return this;
    }

    /**
     * What the output promises after a failure. Under {@link Guarantee#EXACTLY_ONCE} the checkpoint
     * interval defaults to 100 ms (unless {@link #commitInterval} is set): a shorter interval means
     * lower latency and more commits (one Kafka transaction each), a longer one the opposite.
     *
     * <pre>{@code
     * PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).commitInterval(Duration.ofMillis(50)).build();
     * }</pre>
     *
     * @param guarantee not null; default {@link Guarantee#AT_LEAST_ONCE}
     * @return this
     */
    public Builder guarantee(Guarantee guarantee) {
      this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
      return this;
    }

    /**
     * @param policy the default error policy
     * @return this
     */
    public Builder errorPolicy(ErrorPolicy policy) {
      this.errorPolicy = Objects.requireNonNull(policy, "errorPolicy");
      return this;
    }

    /**
     * @param registry where metrics go
     * @return this
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * Per-operator metrics: each operator of each task counts the records it receives
     * ({@code nip.operator.records.in}) and emits ({@code nip.operator.records.out}), and times one
     * record in 64 ({@code nip.operator.processing.time}: the operator and the operators fused behind
     * it, as a processor node's latency in Kafka Streams). The cost is two field increments and one
     * call per operator per record; off, an operator costs nothing extra.
     *
     * <pre>{@code PipelineConfig.builder().operatorMetrics(false).build();}</pre>
     *
     * @param enabled true (default) to record them
     * @return this
     */
    public Builder operatorMetrics(boolean enabled) {
      this.operatorMetrics = enabled;
      return this;
    }

    /**
     * @param clock the runtime's clock
     * @return this
     */
    public Builder clock(NipClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * @param backend the state backend
     * @return this
     */
    public Builder stateBackend(StateBackend backend) {
      this.stateBackend = Objects.requireNonNull(backend, "stateBackend");
      return this;
    }

    /**
     * Stores a snapshot of every task's state at each checkpoint, and restores the latest completed
     * one when the pipeline starts (sources resume from the positions it recorded).
     *
     * <pre>{@code
     * builder.checkpointStorage(CheckpointStorage.localDirectory(Path.of("checkpoints/clicks")));
     * }</pre>
     *
     * @param storage the storage; one per pipeline
     * @return this
     */
    public Builder checkpointStorage(CheckpointStorage storage) {
      this.checkpointStorage = Objects.requireNonNull(storage, "checkpointStorage");
      return this;
    }

    /**
     * Puts a bounded buffer with an overflow strategy between every source partition's reader and
     * its task (backpressure; see {@link io.nip.backpressure.BufferManager}).
     *
     * <pre>{@code
     * builder.bufferManager(BufferManager.of(10_000, BackpressureStrategy.DROP_OLDEST));
     * }</pre>
     *
     * @param manager the buffer's size, strategy, dead letters and alerts
     * @return this
     */
    public Builder bufferManager(io.nip.backpressure.BufferManager manager) {
      this.bufferManager = Objects.requireNonNull(manager, "bufferManager");
      return this;
    }

    /** @return the validated configuration */
    public PipelineConfig build() {
      return new PipelineConfig(this);
    }

    private static int range(String name, int v, int min, int max) {
      if (v < min || v > max) {
        throw ConfigurationException.invalid(name, v, "must be between " + min + " and " + max);
      }
      return v;
    }

    private static Duration notNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw ConfigurationException.invalid(name, d, "must not be negative");
      }
      return d;
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw ConfigurationException.invalid(name, d, "must be positive");
      }
      return d;
    }
  }
}
