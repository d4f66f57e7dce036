package io.nip.pipeline.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.errors.DeadLetter;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.time.NipClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-task context shared by the task's operators: the metadata of the record being processed
 * (timestamp, key, raw bytes, origin), the task's watermark, and its services. Written and read by
 * the task's thread only, which is why plain fields are enough.
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

  long timestamp = Long.MIN_VALUE;
  Object key;
  byte[] raw;
  long position = -1;
  /** In a keyed task: the input channel of the current record (its upstream task), else -1. */
  int channel = -1;
  /** In a keyed task: the number of input channels. */
  int channels;
  int partition = -1;
  String sourceName = "";
  long watermark = Long.MIN_VALUE;
  SinkCapture capture;

  TaskRuntime(String pipelineName, String taskId, PipelineConfig config) {
    this.pipelineName = pipelineName;
    this.taskId = taskId;
    this.config = config;
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

  PipelineConfig config() {
    return config;
  }

  NipClock clock() {
    return config.clock();
  }

  MeterRegistry meterRegistry() {
    return config.meterRegistry();
  }

  long timestamp() {
    return timestamp;
  }

  byte[] raw() {
    return raw;
  }

  long position() {
    return position;
  }

  int partition() {
    return partition;
  }

  String sourceName() {
    return sourceName;
  }

  @SuppressWarnings("unchecked")
  SinkWriter<DeadLetter> deadLetterWriter(Sink<DeadLetter> sink) {
    return (SinkWriter<DeadLetter>) deadLetterWriters.computeIfAbsent(sink, s -> {
      SinkWriter<DeadLetter> w = sink.createWriter(this);
      return capture == null ? w : capture.wrap(sink, w);
    });
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
