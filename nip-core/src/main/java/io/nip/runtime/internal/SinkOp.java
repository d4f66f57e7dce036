package io.nip.runtime.internal;

import io.micrometer.core.instrument.Timer;
import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;
import java.util.concurrent.TimeUnit;

/**
 * The end of a chain: writes to the task's writer of a sink, counts what it wrote and samples the
 * latency of what it wrote.
 *
 * <p>Latency: one written record in {@link #LATENCY_SAMPLE_EVERY} (the first one included) is
 * recorded in two timers, {@value #EVENT_TIME_LATENCY} (the clock at the start of the task's round
 * minus the record's event time) and {@value #PROCESSING_LATENCY} (that clock minus the start of
 * the source round that pushed the record, or the input that made this output, into its chain —
 * after the source buffer, when there is one). Both read only the
 * times the task already holds, so the hot path reads no clock and allocates nothing; sampling keeps
 * the histogram's cost off most records. Resolution is that of the pipeline clock (milliseconds).
 */
public final class SinkOp extends Operator {
  /** Name of the end-to-end (event-time) latency timer. */
  public static final String EVENT_TIME_LATENCY = "nip.sink.latency.event.time";
  /** Name of the processing latency timer. */
  public static final String PROCESSING_LATENCY = "nip.sink.latency.processing";
  /** One written record in this many is recorded in the latency timers. */
  public static final int LATENCY_SAMPLE_EVERY = 16;
  private final Sink<Object> sink;
  private final Guard guard;
  private SinkWriter<Object> writer;
  long written;
  private int untilSample;
  private Timer eventTimeLatency;
  private Timer processingLatency;

  public SinkOp(Sink<Object> sink, Guard guard) {
    this.sink = sink;
    this.guard = guard;
  }

  @Override
  public void open(TaskRuntime runtime) {
    super.open(runtime);
    writer = runtime.createWriter(sink);
    eventTimeLatency = latencyTimer(EVENT_TIME_LATENCY,
        "sampled time from a record's event time to its write by a sink");
    processingLatency = latencyTimer(PROCESSING_LATENCY,
        "sampled time from the read of a record (or of the input that made it) to its write by a sink");
  }

  private Timer latencyTimer(String name, String description) {
    return Timer.builder(name).description(description)
        .tag("pipeline", rt.pipelineName()).tag("sink", sink.name()).tag("task", rt.taskId())
        .publishPercentiles(0.5, 0.99, 0.999)
        .register(rt.meterRegistry());
  }

  /** Records the current record's latencies in one call of {@link #LATENCY_SAMPLE_EVERY}. */
  private void sample() {
    if (--untilSample > 0) {
      return;
    }
    untilSample = LATENCY_SAMPLE_EVERY;
    long now = rt.roundMillis;
    if (rt.timestamp != Long.MIN_VALUE) {
      eventTimeLatency.record(Math.max(0, now - rt.timestamp), TimeUnit.MILLISECONDS);
    }
    if (rt.ingestMillis > 0) { // 0: no source round made this output in this task (nothing to measure)
      processingLatency.record(Math.max(0, now - rt.ingestMillis), TimeUnit.MILLISECONDS);
    }
  }

  Sink<Object> sink() {
    return sink;
  }

  @Override
  public void process(Object value) {
    try {
      writer.write(value);
      written++;
      sample();
    } catch (RuntimeException e) {
      Object r = guard.recover(value, e, v -> {
        writer.write(v);
        return v;
      });
      if (r != Guard.DROPPED) {
        written++;
        sample();
      }
    }
  }

  @Override
  public void watermark(long watermark, int port) {}

  @Override
  public void barrier(long checkpointId, int port) {
    writer.flush();
  }

  @Override
  public void finish(int port) {
    writer.flush();
  }

  void flush() {
    writer.flush();
  }

  void commit(long checkpointId) {
    writer.commit(checkpointId);
  }

  @Override
  public void close() {
    writer.close();
  }
}
