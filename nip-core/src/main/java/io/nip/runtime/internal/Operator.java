package io.nip.runtime.internal;

/**
 * The physical operator: one instance per task, called only by that task's thread. Operators of a
 * chain are fused: {@link #process} of one calls {@code process} of the next directly, so a record
 * crosses the whole chain without a queue or a thread hop. The current record's timestamp, key and
 * origin live in the task's {@link TaskRuntime} rather than in a wrapper object, so the hot path
 * allocates nothing per record.
 *
 * <p>Control signals travel the same way: watermarks, checkpoint barriers and end of input.
 * Operators with several inputs (merge) receive the input port with each signal.
 */
public abstract class Operator {
  /** Downstream operator; a {@link FanOut} when there are several. */
  protected Operator out;
  /** The port of {@link #out} this operator feeds. */
  protected int outPort;
  /** The task this instance belongs to. */
  protected TaskRuntime rt;

  /** @param runtime the owning task; called once after wiring, before any record */
  public void open(TaskRuntime runtime) {
    this.rt = runtime;
  }

  /** @param value a record, with its metadata in {@link TaskRuntime} */
  public abstract void process(Object value);

  /**
   * The event time of every input on {@code port} is now at least {@code watermark}.
   *
   * @param watermark epoch millis
   * @param port the input port
   */
  public void watermark(long watermark, int port) {
    out.watermark(watermark, outPort);
  }

  /**
   * A checkpoint barrier: everything before it must be handed downstream (and sinks flushed) before
   * it is forwarded.
   *
   * @param checkpointId the checkpoint
   * @param port the input port
   */
  public void barrier(long checkpointId, int port) {
    out.barrier(checkpointId, outPort);
  }

  /**
   * The input on {@code port} has ended; emit what is pending and pass it on.
   *
   * @param port the input port
   */
  public void finish(int port) {
    out.finish(outPort);
  }

  /**
   * Called between batches with the pipeline clock's time: fire processing-time timers, emit
   * completed async results.
   *
   * @param nowMillis wall-clock epoch millis
   * @return true when it emitted anything
   */
  public boolean tick(long nowMillis) {
    return false;
  }

  /**
   * The task's keyed state and timers were just restored from a checkpoint (after {@link #open},
   * before any record): rebuild in-memory indexes derived from state. State itself must live in the
   * task's {@link KeyedStateService}, which snapshots and restores it; nothing else is restored.
   */
  public void restored() {}

  /** Releases resources; called once when the task ends. */
  public void close() {}

  /**
   * Wires this operator's output.
   *
   * @param downstream the operator that receives this one's output
   * @param port the input port of {@code downstream}
   */
  public void connect(Operator downstream, int port) {
    this.out = downstream;
    this.outPort = port;
  }
}
