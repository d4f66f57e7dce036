package io.nip.pipeline.internal;

import io.nip.operators.internal.MergeOp;
import io.nip.operators.internal.RouteOp;
import io.nip.operators.internal.StatelessOps;
import io.nip.runtime.internal.ExchangeOp;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Inbox;
import io.nip.runtime.internal.Operator;
import io.nip.runtime.internal.SinkOp;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a node of the logical graph is: one record type per kind, each able to instantiate its
 * physical operator for one task given what the planner decided (its error-policy guard, and for
 * exchanges the target inboxes and channel; for merges the number of inputs in the task).
 *
 * <p>Sealed, so the planner handles every kind and a new kind is a compile error until it does.
 */
public sealed interface NodeSpec permits NodeSpec.SourceSpec, NodeSpec.OperatorSpec, NodeSpec.ExchangeSpec,
    NodeSpec.MergeSpec, NodeSpec.RouteSpec, NodeSpec.SinkSpec {

  /** @return the kind, for display and quick checks */
  Node.Kind kind();

  /**
   * What the planner decided for one operator instance.
   *
   * @param guard applies the node's error policy in the task
   * @param exchangeTargets the inboxes of the keyed stage (exchanges only), else null
   * @param channel the input channel this task is for the stage (exchanges only)
   * @param input which of the stage's exchanges this is (exchanges only)
   * @param batchSize records per exchange batch
   * @param mergeInputs the merge's inputs inside this task (merges only)
   */
  record Instantiation(Guard guard, Inbox[] exchangeTargets, int channel, int input, int batchSize,
      int mergeInputs) {}

  /**
   * A source read with a watermark strategy; sources are read by source tasks, not instantiated.
   *
   * @param source the source
   * @param strategy its watermark strategy
   */
  record SourceSpec(io.nip.source.Source<?> source, io.nip.time.WatermarkStrategy<?> strategy) implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.SOURCE;
    }
  }

  /**
   * A one-in operator built by a factory (filter, map, process, window, ...).
   *
   * @param factory creates one instance per task
   */
  record OperatorSpec(OperatorFactory factory) implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.OPERATOR;
    }

    Operator instantiate(Instantiation i) {
      return factory.create(i.guard());
    }
  }

  /**
   * A change of key.
   *
   * @param keyFn extracts the key
   * @param keySerde key serde
   * @param local the input is already partitioned by this key: no exchange, the keyed operators run
   *     in the upstream task
   */
  record ExchangeSpec(Function<?, ?> keyFn, io.nip.serde.Serde<?> keySerde, boolean local) implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.EXCHANGE;
    }

    @SuppressWarnings("unchecked")
    Operator instantiate(Instantiation i) {
      Function<Object, Object> fn = (Function<Object, Object>) keyFn;
      return local ? new StatelessOps.LocalKeyOp(fn, i.guard())
          : new ExchangeOp(fn, i.guard(), i.exchangeTargets(), i.channel(), i.input(), i.batchSize());
    }
  }

  /** Several streams joined into one. */
  record MergeSpec() implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.MERGE;
    }

    Operator instantiate(Instantiation i) {
      return new MergeOp(i.mergeInputs());
    }
  }

  /**
   * Named routes.
   *
   * @param conditions one per named route
   * @param firstMatch stop at the first match
   */
  record RouteSpec(List<? extends Predicate<?>> conditions, boolean firstMatch) implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.ROUTE;
    }

    @SuppressWarnings("unchecked")
    Operator instantiate(Instantiation i) {
      return new RouteOp(conditions.toArray(new Predicate[0]), firstMatch, i.guard());
    }
  }

  /**
   * The end of a branch.
   *
   * @param sink where records go
   */
  record SinkSpec(io.nip.sink.Sink<?> sink) implements NodeSpec {
    @Override
    public Node.Kind kind() {
      return Node.Kind.SINK;
    }

    @SuppressWarnings("unchecked")
    Operator instantiate(Instantiation i) {
      return new SinkOp((io.nip.sink.Sink<Object>) sink, i.guard());
    }
  }

  /**
   * @param kind a node kind
   * @param payload what the DSL attached to it
   * @return the typed spec
   * @throws IllegalArgumentException when the payload does not fit the kind
   */
  static NodeSpec of(Node.Kind kind, Object payload) {
    switch (kind) {
      case SOURCE:
        return (SourceSpec) payload;
      case OPERATOR:
        return new OperatorSpec((OperatorFactory) payload);
      case EXCHANGE:
        return (ExchangeSpec) payload;
      case MERGE:
        return new MergeSpec();
      case ROUTE:
        return (RouteSpec) payload;
      case SINK:
        return new SinkSpec((io.nip.sink.Sink<?>) payload);
      default:
        throw new IllegalArgumentException("unknown node kind " + kind);
    }
  }
}
