package io.nip.pipeline;

import io.nip.event.Headers;

/**
 * What a {@link RecordProcessor} sees of the record it is called for, and where it emits results.
 * Valid only during that call and on the thread that made it: a context kept and used later throws
 * {@link IllegalStateException}. A call's results are held in memory until it returns.
 *
 * <pre>{@code
 * stream.process((String line, RecordContext<String> ctx) -> {
 *   for (String word : line.split(" ")) {
 *     ctx.emit(word);                                        // the line's headers
 *   }
 *   ctx.emit("EOL", ctx.headers().with("kind", "marker"));  // headers of its own
 * });
 * }</pre>
 *
 * @param <R> result type
 */
public interface RecordContext<R> {

  /**
   * @return the record's headers, never null ({@link Headers#EMPTY} when it has none)
   * @throws IllegalStateException when called after {@link RecordProcessor#process} returned
   */
  Headers headers();

  /**
   * Emits a result with the record's headers, key and event time.
   *
   * @param value the result, not null
   * @throws NullPointerException when {@code value} is null
   * @throws IllegalStateException when called after {@link RecordProcessor#process} returned
   */
  void emit(R value);

  /**
   * Emits a result with the record's key and event time and the given headers.
   *
   * @param value the result, not null
   * @param headers its headers, not null ({@link Headers#EMPTY} for none)
   * @throws NullPointerException when {@code value} or {@code headers} is null
   * @throws IllegalStateException when called after {@link RecordProcessor#process} returned
   */
  void emit(R value, Headers headers);
}
