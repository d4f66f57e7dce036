package io.nip.runtime.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.DeadLetter;
import io.nip.event.Headers;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.source.SourcePosition;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-task context shared by the task's operators: the record context (key, event time, headers,
 * raw bytes, source position and origin of the record being processed — one reusable instance per
 * task, no allocation per record), the task's watermark, and its services.
 *
 * <p>Design: the runtime writes the record context before it pushes a record into a chain;
 * operators read it through the accessors and never write it. An operator that emits a record
 * under another key or time (a window result, a timer's output, an async result) uses one of the
 * scoped {@code emitAs} helpers, which set the context for the downstream call and put the
 * caller's values back afterwards, so no operator saves and restores fields by hand.
 *
 * <p>Positions: an offset lives in the primitive {@link #position} (the allocation-free path of
 * Kafka-like sources, also what {@code HoldsRecords} operators track); any other position lives in
 * {@link #positionRef} with {@code position == -1}. At most one of the two is set.
 * {@link #sourcePosition()} materialises a {@link SourcePosition} only when asked (dead letters).
 *
 * <p>Threading: written and read by the task's thread only, which is why plain fields are enough.
 */
public final class TaskRuntime implements SinkContext {
  private final String pipelineName;
  private final String taskId;
  private final PipelineConfig config;
  private final Map<Sink<?>, SinkWriter<?>> deadLetterWriters = new IdentityHashMap<>();
  final List<Operator> tickers = new ArrayList<>();
  final List<ExchangeOp> exchanges = new ArrayList<>();
  final List<SinkOp> sinks = new ArrayList<>();
  final List<Operator> all = new ArrayList<>();
  /** Operators that may hold records back (rate limiters); empty in most tasks. */
  final List<Gate> gates = new ArrayList<>();

  long timestamp = Long.MIN_VALUE;
  Object key;
  byte[] raw;
  long position = -1;
  /** The current record's position when it is not an offset, else null. */
  SourcePosition positionRef;
  /**
   * Set once the pipeline was asked to stop (on source tasks): their exchanges then hand over
   * batches that watermark alignment holds back, so the stop is not kept waiting for a watermark.
   */
  volatile boolean stopping;
  Headers headers = Headers.EMPTY;
  /** In a keyed task: the input channel of the current record (its upstream task), else -1. */
  int channel = -1;
  /** In a keyed task: the number of input channels. */
  int channels;
  int partition = -1;
  String sourceName = "";
  long watermark = Long.MIN_VALUE;
  /** In a keyed task: the watermark of the channels that pass a named operator (see {@link #inputWatermark}). */
  java.util.function.ToLongFunction<String> inputWatermarks;
  /** The pipeline clock at the start of the task's current round (epoch millis); read by sinks' latency metrics. */
  long roundMillis;
  /**
   * When the current record (or the input that made the current output) entered the pipeline: the
   * clock at the start of the source task's round that pushed it into its chain (after the source
   * buffer, when there is one), carried across exchanges once per batch (epoch millis).
   */
  long ingestMillis;
  private final KeyedStateService state = new KeyedStateService(this);
  /** Set before operators' {@code finish}: true when the input was exhausted, false when stopped. */
  boolean inputExhausted = true;
  /** Replaces sinks when writers are created (bindings of an embedding application or a test driver). */
  private final java.util.function.UnaryOperator<Sink<?>> sinkBinding;

  /**
   * @param pipelineName the pipeline name
   * @param taskId the task id, unique in the pipeline and stable across runs of the same plan
   * @param config the configuration
   * @param sinkBinding replaces each sink (dead-letter sinks included) before its writer is
   *     created; identity in production
   */
  public TaskRuntime(String pipelineName, String taskId, PipelineConfig config,
      java.util.function.UnaryOperator<Sink<?>> sinkBinding) {
    this.sinkBinding = sinkBinding;
    this.pipelineName = pipelineName;
    this.taskId = taskId;
    this.config = config;
  }

  /**
   * Names where this task's records come from, for dead letters and logs.
   *
   * @param sourceName the source (or keyed stage) name
   * @param partition the partition (or key group) index
   */
  public void origin(String sourceName, int partition) {
    this.sourceName = sourceName;
    this.partition = partition;
  }

  /**
   * Opens an operator of this task and registers it for ticks, flushes and close; called once per
   * operator, in wiring order, before the task runs.
   *
   * @param op the operator
   */
  public void register(Operator op) {
    op.open(this);
    all.add(op);
    tickers.add(op);
    if (op instanceof Gate) {
      gates.add((Gate) op);
    }
    if (op instanceof ExchangeOp) {
      exchanges.add((ExchangeOp) op);
    } else if (op instanceof SinkOp) {
      sinks.add((SinkOp) op);
    }
  }

  /**
   * Lets every gate of this task pass what it may now.
   *
   * @param nowMillis the pipeline clock, epoch millis
   * @return true when no gate holds a record any more
   */
  boolean releaseGates(long nowMillis) {
    for (Gate g : gates) {
      g.release(nowMillis);
    }
    return !gatesHolding();
  }

  /** @return true while a gate of this task holds a record */
  boolean gatesHolding() {
    for (int i = 0, n = gates.size(); i < n; i++) {
      if (gates.get(i).holding()) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return during {@code finish}: true when the task's input was exhausted (the end of time
   *     follows), false when the pipeline was stopped (a restart resumes: pending processing-time
   *     results must stay in state rather than fire early)
   */
  public boolean inputExhausted() {
    return inputExhausted;
  }

  /** @return the task's keyed state and timer service */
  public KeyedStateService state() {
    return state;
  }

  @Override
  public String pipelineName() {
    return pipelineName;
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public Instant currentTimestamp() {
    return timestamp == Long.MIN_VALUE ? null : Instant.ofEpochMilli(timestamp);
  }

  public PipelineConfig config() {
    return config;
  }

  public NipClock clock() {
    return config.clock();
  }

  public MeterRegistry meterRegistry() {
    return config.meterRegistry();
  }

  public long timestamp() {
    return timestamp;
  }

  public byte[] raw() {
    return raw;
  }

  /** @return the current record's offset, or -1 when its position is unknown or not an offset */
  public long position() {
    return position;
  }

  /** @return the current record's position when it is not an offset, else null */
  public SourcePosition positionRef() {
    return positionRef;
  }

  /** @return the current record's position in any form; {@link SourcePosition#NONE} when unknown */
  public SourcePosition sourcePosition() {
    if (positionRef != null) {
      return positionRef;
    }
    return position < 0 ? SourcePosition.NONE : SourcePosition.ofOffset(position);
  }

  /** @return the current record's headers, never null */
  public Headers headers() {
    return headers;
  }

  @Override
  public Object currentKey() {
    return key;
  }

  @Override
  public Headers currentHeaders() {
    return headers;
  }

  public int partition() {
    return partition;
  }

  public String sourceName() {
    return sourceName;
  }

  /** @return the current record's key; null before a key is assigned */
  public Object key() {
    return key;
  }

  /** @return the task's current watermark, epoch millis ({@link Long#MIN_VALUE} before the first) */
  public long watermark() {
    return watermark;
  }

  /**
   * The watermark of the part of this task's input that passed through the operator named
   * {@code operator} upstream: the minimum over the input channels whose upstream chain holds it
   * (idle ones at their last watermark), {@link Long#MAX_VALUE} once all of them are exhausted,
   * never behind {@link #watermark()}. Outside a keyed task, or when no channel passes that
   * operator, it is {@link #watermark()}.
   *
   * @param operator an operator name of the pipeline
   * @return epoch millis ({@link Long#MIN_VALUE} before any watermark)
   */
  public long inputWatermark(String operator) {
    return inputWatermarks == null ? watermark : inputWatermarks.applyAsLong(operator);
  }

  /** @return the input channel of the current record in a keyed task, else -1 */
  public int channel() {
    return channel;
  }

  /** @return the number of input channels of a keyed task */
  public int channels() {
    return channels;
  }

  /**
   * Pushes {@code value} into {@code target} as a record of {@code key} at {@code timestampMillis},
   * then restores the caller's record context.
   *
   * @param target the downstream operator
   * @param key the key the record carries downstream
   * @param timestampMillis its event time, epoch millis
   * @param value the record
   */
  public void emitAs(Operator target, Object key, long timestampMillis, Object value) {
    Object savedKey = this.key;
    long savedTs = this.timestamp;
    this.key = key;
    this.timestamp = timestampMillis;
    try {
      target.process(value);
    } finally {
      this.key = savedKey;
      this.timestamp = savedTs;
    }
  }

  /**
   * Like {@link #emitAs(Operator, Object, long, Object)} with other headers: a result that is not
   * the current record (a window result) passes {@link Headers#EMPTY}.
   *
   * @param target the downstream operator
   * @param key the key the record carries downstream
   * @param timestampMillis its event time, epoch millis
   * @param headers its headers
   * @param value the record
   */
  public void emitAs(Operator target, Object key, long timestampMillis, Headers headers, Object value) {
    Headers savedHeaders = this.headers;
    this.headers = headers;
    try {
      emitAs(target, key, timestampMillis, value);
    } finally {
      this.headers = savedHeaders;
    }
  }

  /**
   * Pushes {@code value} into {@code target} with the current key and time but other headers, then
   * restores the caller's headers.
   *
   * @param target the downstream operator
   * @param headers the headers the record carries downstream, not null
   * @param value the record
   */
  public void emitWithHeaders(Operator target, Headers headers, Object value) {
    Headers savedHeaders = this.headers;
    this.headers = headers;
    try {
      target.process(value);
    } finally {
      this.headers = savedHeaders;
    }
  }

  /**
   * Like {@link #emitAs(Operator, Object, long, Object)}, also restoring a record's source position,
   * raw bytes and headers (a record that was held back, e.g. by an async stage).
   *
   * @param target the downstream operator
   * @param key the key
   * @param timestampMillis epoch millis
   * @param position the record's offset, or -1
   * @param positionRef the record's position when it is not an offset, else null
   * @param rawBytes the record's source bytes, or null
   * @param headers the record's headers
   * @param value the record
   */
  public void emitAs(Operator target, Object key, long timestampMillis, long position, SourcePosition positionRef,
      byte[] rawBytes, Headers headers, Object value) {
    long savedPosition = this.position;
    SourcePosition savedRef = this.positionRef;
    byte[] savedRaw = this.raw;
    this.position = position;
    this.positionRef = positionRef;
    this.raw = rawBytes;
    try {
      emitAs(target, key, timestampMillis, headers, value);
    } finally {
      this.position = savedPosition;
      this.positionRef = savedRef;
      this.raw = savedRaw;
    }
  }

  /**
   * Runs {@code action} with the record context set to a held-back record's metadata (so that an
   * error policy applied inside it names that record), then restores the caller's context.
   *
   * @param key the record's key
   * @param timestampMillis its event time, epoch millis
   * @param position its offset, or -1
   * @param positionRef its position when it is not an offset, else null
   * @param rawBytes its source bytes, or null
   * @param headers its headers ({@link Headers#EMPTY} for a timer)
   * @param action what to run
   * @param <R> the result type
   * @return what {@code action} returned
   */
  public <R> R callAs(Object key, long timestampMillis, long position, SourcePosition positionRef, byte[] rawBytes,
      Headers headers, java.util.function.Supplier<R> action) {
    Object savedKey = this.key;
    long savedTs = this.timestamp;
    long savedPosition = this.position;
    SourcePosition savedRef = this.positionRef;
    byte[] savedRaw = this.raw;
    Headers savedHeaders = this.headers;
    this.key = key;
    this.timestamp = timestampMillis;
    this.position = position;
    this.positionRef = positionRef;
    this.raw = rawBytes;
    this.headers = headers;
    try {
      return action.get();
    } finally {
      this.key = savedKey;
      this.timestamp = savedTs;
      this.position = savedPosition;
      this.positionRef = savedRef;
      this.raw = savedRaw;
      this.headers = savedHeaders;
    }
  }

  /**
   * @param sink a sink of the pipeline
   * @param <T> its value type
   * @return a new writer of this task for it (or for what the sink binding put in its place)
   */
  @SuppressWarnings("unchecked")
  public <T> SinkWriter<T> createWriter(Sink<T> sink) {
    outputAsked = false;
    SinkWriter<T> w = ((Sink<T>) sinkBinding.apply(sink)).createWriter(this);
    if (transactional != null && !outputAsked) {
      transactional.notExactlyOnce(sink.name());
    }
    return w;
  }

  // ---- exactly-once output ----

  /** Set under EXACTLY_ONCE when the pipeline's changelog writes sink records; else null. */
  private TransactionalSinks transactional;
  private boolean outputAsked;
  /** Records handed over since the last drain, in write order. */
  private List<Object> pendingOutput = new ArrayList<>();
  private long pendingOutputBytes;
  private final io.nip.sink.TransactionalOutput output = new io.nip.sink.TransactionalOutput() {
    @Override
    public Object committer() {
      return transactional.committer();
    }

    @Override
    public void add(Object record, long bytes) {
      pendingOutput.add(java.util.Objects.requireNonNull(record, "record"));
      pendingOutputBytes += bytes;
      transactional.added(bytes);
      writeAhead();
    }
  };

  /** The checkpoint id of this task's last barrier: its output goes with the commit after that checkpoint's. */
  private long lastBarrier;
  /** The transaction the first {@link #aheadRecords} of {@link #pendingOutput} were written into, or 0. */
  private long aheadTransaction;
  private int aheadRecords;

  /**
   * Writes the records not written yet ahead into the changelog's open transaction, when that
   * transaction is the one the commit after this task's next barrier ends; in order, so the
   * records held before it opened go first.
   */
  private void writeAhead() {
    long tx = transactional.aheadTransaction(lastBarrier);
    if (tx == 0 || (aheadRecords > 0 && tx != aheadTransaction)) {
      return;
    }
    int n = transactional.writeAhead(tx, pendingOutput, aheadRecords);
    if (n > 0) {
      aheadTransaction = tx;
      aheadRecords += n;
    }
  }

  /** What a barrier takes of a task's output: the records and how many of them were written ahead. */
  public record DrainedOutput(List<Object> records, io.nip.state.StateChangelog.Ahead ahead) {
    static final DrainedOutput NONE = new DrainedOutput(List.of(), io.nip.state.StateChangelog.Ahead.NONE);
  }

  /**
   * What the tasks of a pipeline under exactly-once share: the committer of their output, the
   * memory bound, and the warning for sinks that write at least once. Thread-safe.
   */
  public interface TransactionalSinks {
    /** @return the changelog that writes the records */
    Object committer();

    /** @param bytes handed over by a task; may request a checkpoint */
    void added(long bytes);

    /** @param bytes drained into a task's part */
    void drained(long bytes);

    /** @param sink a sink that did not ask for the transactional output */
    void notExactlyOnce(String sink);

    /**
     * @param barrier the checkpoint id of a task's last barrier
     * @return the token of the changelog's open transaction its records may be written ahead into, or 0
     * @see io.nip.state.StateChangelog#aheadTransaction
     */
    long aheadTransaction(long barrier);

    /**
     * @param transaction a token of {@link #aheadTransaction}
     * @param records a task's records since its last barrier
     * @param from the first not written ahead yet
     * @return how many were written, or -1
     * @see io.nip.state.StateChangelog#writeAhead
     */
    int writeAhead(long transaction, List<Object> records, int from);
  }

  /**
   * Makes this task's sinks write through the checkpoint's commit (exactly-once); called by the
   * planner before the task's operators open.
   *
   * @param sinks what the pipeline's tasks share
   */
  public void enableTransactionalOutput(TransactionalSinks sinks) {
    this.transactional = sinks;
  }

  @Override
  public io.nip.sink.TransactionalOutput transactionalOutput() {
    if (transactional == null) {
      return null;
    }
    outputAsked = true;
    return output;
  }

  /**
   * Takes the output records handed over since the last call (at a barrier or the task's end).
   *
   * @param barrier the checkpoint id of the barrier, or 0 at the task's end
   * @return the records in write order (the list is the caller's) and how many were written ahead
   */
  public DrainedOutput drainOutput(long barrier) {
    if (barrier > 0) {
      lastBarrier = barrier;
    }
    if (pendingOutput.isEmpty()) {
      return DrainedOutput.NONE;
    }
    List<Object> out = pendingOutput;
    io.nip.state.StateChangelog.Ahead ahead = aheadRecords == 0 ? io.nip.state.StateChangelog.Ahead.NONE
        : new io.nip.state.StateChangelog.Ahead(aheadTransaction, aheadRecords);
    pendingOutput = new ArrayList<>();
    aheadRecords = 0;
    aheadTransaction = 0;
    transactional.drained(pendingOutputBytes);
    pendingOutputBytes = 0;
    return new DrainedOutput(out, ahead);
  }

  /** @return true when output records wait for the next part */
  public boolean hasPendingOutput() {
    return !pendingOutput.isEmpty();
  }

  /**
   * Drops the output records not handed over yet (the task's state is restored: they are produced
   * again); the caller abandons the transaction some of them may have been written ahead into.
   */
  public void dropPendingOutput() {
    aheadRecords = 0;
    aheadTransaction = 0;
    if (!pendingOutput.isEmpty()) {
      pendingOutput = new ArrayList<>();
      transactional.drained(pendingOutputBytes);
      pendingOutputBytes = 0;
    }
  }

  /**
   * @param sink a dead-letter sink
   * @return the task's writer for it, created on first use
   */
  @SuppressWarnings("unchecked")
  public SinkWriter<DeadLetter> deadLetterWriter(Sink<DeadLetter> sink) {
    return (SinkWriter<DeadLetter>) deadLetterWriters.computeIfAbsent(sink, s -> createWriter(sink));
  }

  void flushDeadLetters() {
    for (SinkWriter<?> w : deadLetterWriters.values()) {
      w.flush();
    }
  }

  void closeDeadLetters() {
    for (SinkWriter<?> w : deadLetterWriters.values()) {
      w.close();
    }
  }
}
