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

  /** @return how many partitions this source has (at least 1) */
  int partitions();

  /** @return true when the source ends by itself (a file, a collection, a bounded topic read) */
  boolean isBounded();

  /**
   * Opens one partition.
   *
   * @param partition the partition index, from 0 to {@code partitions() - 1}
   * @param context the runtime services available to the reader (clock, pipeline name)
   * @param startPosition where to resume (the position of the next record to read), or
   *     {@link SourceReader#NO_POSITION} to start from the source's default start
   * @return the reader, owned by one task thread at a time
   */
  SourceReader<T> createReader(int partition, SourceContext context, long startPosition);
}
