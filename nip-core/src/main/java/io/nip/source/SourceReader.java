package io.nip.source;

/**
 * Reads one partition of a {@link Source}. Called by one task thread at a time, never concurrently.
 * {@link #poll} must not block for long: return {@link Status#NOTHING_AVAILABLE} and let the
 * runtime come back.
 *
 * <pre>{@code
 * Status s = reader.poll(output, 512);   // emits up to 512 records into output
 * }</pre>
 *
 * @param <T> the value type
 */
public interface SourceReader<T> extends AutoCloseable {

  /**
   * Offset value meaning "no stored position: start where the source starts by default", for
   * readers that track offsets as {@code long}; {@link SourcePosition#NONE} is its general form.
   */
  long NO_POSITION = -1L;

  /** What a poll found. */
  enum Status {
    /** Records were emitted, or may be emitted at once by another poll. */
    MORE_AVAILABLE,
    /** Nothing to read right now; the runtime polls again later. */
    NOTHING_AVAILABLE,
    /** The partition is exhausted and will never emit again. */
    END_OF_INPUT,
    /**
     * The partition was assigned to this instance (again) since the previous poll — a consumer group
     * moved it here — and nothing was emitted: state the pipeline keeps for the partition may have
     * been changed meanwhile by the instance that owned it, so the runtime brings it up to date
     * before it polls again. Readers of sources without consumer groups never return it.
     */
    ASSIGNED
  }

  /**
   * Emits up to {@code maxRecords} records into {@code output}.
   *
   * @param output where to emit
   * @param maxRecords upper bound for this call
   * @return what the reader found
   */
  Status poll(SourceOutput<T> output, int maxRecords);

  /**
   * Which assignment of the partition the reader has reported so far: it changes when the reader
   * returns {@link Status#ASSIGNED}, so state taken before the task saw a new assignment can be told
   * apart from state taken after. Readers of sources without consumer groups return 0 (the default).
   *
   * @return an opaque assignment number
   */
  default long assignment() {
    return 0;
  }

  /**
   * Whether this instance owns the partition. Report false only once it is settled that another
   * member of a consumer group owns it: the partition is then idle at once (it does not hold the
   * watermark back) and its event time does not move. While ownership is not yet known (start-up,
   * a rebalance in progress) report true, so that the partition holds the watermark back until it
   * delivers or its idle timeout passes.
   *
   * @return true by default
   */
  default boolean isAssigned() {
    return true;
  }

  /**
   * Gives the reader a callback to run, from any thread, when records arrive after {@link #poll}
   * reported {@link Status#NOTHING_AVAILABLE}. A reader filled by a background thread (a broker
   * client's fetcher) calls it so that an idle worker thread picks the partition up at once instead
   * of at its next periodic check. Readers that never block ignore it (the default). Called once,
   * before the first poll; the callback is cheap and never blocks.
   *
   * <pre>{@code
   * public void onAvailable(Runnable listener) { this.listener = listener; }
   * // on the fetch thread, after adding records to an empty buffer:
   * if (listener != null) listener.run();
   * }</pre>
   *
   * @param listener wakes a worker that will poll this reader
   */
  default void onAvailable(Runnable listener) {}

  /**
   * @return the position of the next record this reader will emit (for an offset reader, the
   *     offset after the last emitted record); stored by checkpoints and handed back to
   *     {@link Source#createReader} on restart
   */
  SourcePosition position();

  /**
   * Everything before {@code position} has been fully processed and handed to the sinks. Sources
   * backed by a broker commit it there; others may ignore it. The default hands an offset to
   * {@link #commit(long)}, so an offset reader overrides only that one.
   *
   * @param position the position of the first record not yet fully processed, as
   *     {@link #position()} reported it (or an earlier offset, when records before it are still held
   *     in state)
   */
  default void commit(SourcePosition position) {
    if (position != null && position.isOffset()) {
      commit(position.offset());
    }
  }

  /**
   * The offset form of {@link #commit(SourcePosition)}: called by its default for offset positions.
   *
   * @param offset the offset of the first record not yet fully processed, at least 0
   */
  default void commit(long offset) {}

  /** Releases the reader's resources. */
  @Override
  void close();
}
