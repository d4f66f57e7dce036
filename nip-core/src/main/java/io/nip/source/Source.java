package io.nip.source;

/**
 * Where records come from. A source is split into partitions; the runtime runs one task per
 * partition, each with its own {@link SourceReader}. A reader reports a position per partition that
 * a checkpoint stores and hands back to {@link #createReader} on restart.
 *
 * <pre>{@code
 * Source<String> lines = Sources.collection("greetings", List.of("hi", "hello"));
 * Stream<String> s = pipeline.from(lines);
 * }</pre>
 *
 * @param <T> the value type
 */
public interface Source<T> {

  /** @return a name unique within the pipeline, used in metrics and dead letters */
  String name();

  /**
   * How many partitions this source has. Called when the pipeline starts (when it is planned), never
   * while it is built: a source is a plain description, and a connector may contact its broker here
   * to discover its partitions.
   *
   * @return at least 1
   * @throws io.nip.errors.ConnectorException when the partitions cannot be discovered
   */
  int partitions();

  /** @return true when the source ends by itself (a file, a collection, a bounded topic read) */
  boolean isBounded();

  /**
   * Opens one partition.
   *
   * @param partition the partition index, from 0 to {@code partitions() - 1}
   * @param context the runtime services available to the reader (clock, pipeline name)
   * @param startPosition where to resume (the position of the next record to read, as a reader's
   *     {@link SourceReader#position()} reported it), or {@link SourcePosition#NONE} (or null) to
   *     start from the source's default start
   * @return the reader, owned by one task thread at a time
   */
  SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition);

  /**
   * Opens one partition at an offset; kept for callers that hold offsets as {@code long}.
   *
   * @param partition the partition index, from 0 to {@code partitions() - 1}
   * @param context the runtime services available to the reader
   * @param startOffset the offset of the next record to read, or a negative value (such as
   *     {@link SourceReader#NO_POSITION}) for the source's default start
   * @return the reader of {@link #createReader(int, SourceContext, SourcePosition)}
   */
  default SourceReader<T> createReader(int partition, SourceContext context, long startOffset) {
    return createReader(partition, context, startOffset < 0 ? SourcePosition.NONE : SourcePosition.ofOffset(startOffset));
  }
}
