package io.nip.pipeline;

import io.nip.pipeline.internal.Node;
import io.nip.pipeline.internal.Ops;
import io.nip.serde.Serde;
import java.util.List;
import java.util.Objects;

/**
 * A stream partitioned by key: every record of a key is processed by the same task, which owns the
 * key's state and timers.
 *
 * <pre>{@code
 * events.keyBy(UserEvent::userId).process((user, e, ctx) -> { ... ctx.emit(result); });
 * }</pre>
 *
 * @param <K> key type
 * @param <T> value type
 */
public class KeyedStream<K, T> {
  final Pipeline pipeline;
  final Node node;
  final Serde<K> keySerde;

  KeyedStream(Pipeline pipeline, Node node, Serde<K> keySerde) {
    this.pipeline = pipeline;
    this.node = node;
    this.keySerde = keySerde;
  }

  /** @return the serde used for keys in state snapshots */
  public Serde<K> keySerde() {
    return keySerde;
  }

  /**
   * @param processor per-key logic with state and timers
   * @param <R> result type
   * @return the stream of results
   */
  public <R> Stream<R> process(KeyedProcessor<K, T, R> processor) {
    return process(processor, null);
  }

  /**
   * @param processor per-key logic with state and timers
   * @param op name (also the scope of its state) and error policy
   * @param <R> result type
   * @return the stream of results
   */
  public <R> Stream<R> process(KeyedProcessor<K, T, R> processor, Op op) {
    Objects.requireNonNull(processor, "processor");
    String explicit = op == null ? null : op.name();
    String[] holder = new String[1];
    Node n = pipeline.graph.add(Node.Kind.OPERATOR, explicit, "process", op == null ? null : op.errorPolicy(),
        Ops.keyedProcess(holder, processor, keySerde),
        List.of(node), 0);
    holder[0] = n.name();
    return new Stream<>(pipeline, n);
  }

  /**
   * Cuts the stream into windows per key.
   *
   * @param assigner tumbling, sliding, session or global windows
   * @return the windowed stream, to aggregate
   */
  public WindowedStream<K, T> window(io.nip.window.WindowAssigner assigner) {
    Objects.requireNonNull(assigner, "assigner");
    return new WindowedStream<>(this, assigner, java.time.Duration.ZERO, null, false);
  }

  /**
   * Adds a keyed node built elsewhere in the DSL (windows, patterns) to this stream.
   *
   * @param kind the node kind
   * @param defaultName base of the generated name
   * @param op options or null
   * @param payload the node's payload
   * @param <R> result type
   * @return the resulting stream
   */
  <R> Stream<R> addKeyed(Node.Kind kind, String defaultName, Op op, Object payload) {
    Node n = pipeline.graph.add(kind, op == null ? null : op.name(), defaultName,
        op == null ? null : op.errorPolicy(), payload, List.of(node), 0);
    return new Stream<>(pipeline, n);
  }
}
