package io.nip.sink;

import java.time.Instant;

/** What a sink writer may know about the task that writes to it. */
public interface SinkContext {

  /** @return the pipeline's name */
  String pipelineName();

  /** @return an id of the writing task, unique within the pipeline, e.g. {@code "source-0"} */
  String taskId();

  /** @return the event time of the record being written */
  Instant currentTimestamp();
}
