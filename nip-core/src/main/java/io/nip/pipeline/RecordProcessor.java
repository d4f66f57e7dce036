package io.nip.pipeline;

/**
 * The low-level stateless operator of {@link Stream#process}: reads a record and its headers, and
 * emits any number of results, each with the record's headers or headers of its own. What
 * {@code map}, {@code filter}, {@code flatMap}, {@code mapWithHeaders} and {@code withHeaders}
 * each do in part, in one operator.
 *
 * <p>Results reach the next operator after {@code process} returns, in the order they were
 * emitted. A call that throws emits nothing: its results are discarded and the stream's error
 * policy applies to the record (a retry starts from no results).
 *
 * <pre>{@code
 * RecordProcessor<Order, Order> tagged = (order, ctx) -> {
 *   if (order.amount() > 0) {
 *     ctx.emit(order, ctx.headers().with("tenant", order.tenant()));
 *   }
 * };
 * Stream<Order> out = orders.process(tagged);
 * }</pre>
 *
 * @param <T> input type
 * @param <R> result type
 */
@FunctionalInterface
public interface RecordProcessor<T, R> {

  /**
   * @param value the record, never null
   * @param context its headers, and where to emit results; valid during this call only
   */
  void process(T value, RecordContext<R> context);
}
