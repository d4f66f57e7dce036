package io.nip.sink;

import io.nip.event.Headers;
import java.time.Instant;

/**
 * What a sink writer may know about the task that writes to it and about the record being written:
 * the record envelope (key, headers, event time) is read here during {@link SinkWriter#write}, so
 * writing a record allocates no wrapper.
 *
 * <pre>{@code
 * public SinkWriter<Order> createWriter(SinkContext ctx) {
 *   return order -> send(ctx.currentKey(), ctx.currentHeaders(), order);   // during write only
 * }
 * }</pre>
 */
public interface SinkContext {

  /** @return the pipeline's name */
  String pipelineName();

  /** @return an id of the writing task, unique within the pipeline, e.g. {@code "source-0"} */
  String taskId();

  /** @return the event time of the record being written */
  Instant currentTimestamp();

  /**
   * @return the key of the record being written: the {@code keyBy} key in a keyed stream, else the
   *     key its source gave it (e.g. a Kafka record key), else null. Valid during
   *     {@link SinkWriter#write} only.
   */
  default Object currentKey() {
    return null;
  }

  /**
   * @return the headers of the record being written ({@link Headers#EMPTY} when none; window and
   *     timer results carry none). Valid during {@link SinkWriter#write} only.
   */
  default Headers currentHeaders() {
    return Headers.EMPTY;
  }

  /**
   * Under {@link io.nip.pipeline.Guarantee#EXACTLY_ONCE}, where a sink that writes inside the
   * checkpoint's atomic commit hands its records (see {@link TransactionalOutput}). A sink that asks
   * for it is one the pipeline counts as exactly-once; a sink that never asks writes at least once,
   * and the pipeline logs a warning naming it when it starts.
   *
   * @return the task's transactional output, or null when the pipeline does not commit its sinks'
   *     records with its checkpoints (at-least-once, or no committer that writes output)
   */
  default TransactionalOutput transactionalOutput() {
    return null;
  }
}
