package io.nip.sink;

/**
 * Where results go. The runtime asks for one {@link SinkWriter} per task that writes to the sink.
 *
 * <pre>{@code
 * CollectingSink<String> out = Sinks.collecting("out");
 * stream.to(out);
 * }</pre>
 *
 * @param <T> the value type
 */
public interface Sink<T> {

  /** @return a name unique within the pipeline, used in metrics */
  String name();

  /**
   * @param context the task's view: pipeline name, task id, the current record's timestamp
   * @return a writer used by that task's thread only
   */
  SinkWriter<T> createWriter(SinkContext context);
}
