package io.nip.sink;

/**
 * Writes the records of one task. Called by one thread at a time.
 *
 * <p>Life cycle: {@link #write} many times; {@link #flush} whenever the runtime is about to commit
 * source positions (everything written before must then be durable or visible); {@link #commit}
 * after a checkpoint completed, for transactional sinks; {@link #close} once.
 *
 * @param <T> the value type
 */
public interface SinkWriter<T> extends AutoCloseable {

  /**
   * Writes one record. Its key, headers and event time are those of the {@link SinkContext} this
   * writer was created with, read during this call ({@link SinkContext#currentKey()},
   * {@link SinkContext#currentHeaders()}, {@link SinkContext#currentTimestamp()}).
   *
   * @param value the record, not null
   */
  void write(T value);

  /** Makes everything written so far durable or visible. */
  default void flush() {}

  /**
   * A checkpoint that covers everything flushed so far is complete; transactional sinks commit.
   *
   * @param checkpointId the completed checkpoint
   */
  default void commit(long checkpointId) {}

  /** Flushes and releases resources. */
  @Override
  void close();
}
