package io.nip.pipeline.internal;

import io.nip.errors.ErrorPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * A vertex of the logical pipeline graph, built by the DSL and compiled into physical operators per
 * task by {@link Planner}. Immutable after the pipeline starts; the DSL appends children only.
 */
public final class Node {
  /** What a node does; decides how the planner instantiates it. */
  public enum Kind { SOURCE, OPERATOR, EXCHANGE, MERGE, ROUTE, SINK }

  final int id;
  final String name;
  final Kind kind;
  final ErrorPolicy errorPolicy;
  final Object payload;
  final NodeSpec spec;
  final List<Node> inputs = new ArrayList<>();
  /** Outputs as (port, child) pairs: port is this node's output port (routes have several). */
  final List<int[]> outputPorts = new ArrayList<>();
  final List<Node> outputs = new ArrayList<>();

  Node(int id, String name, Kind kind, ErrorPolicy errorPolicy, Object payload) {
    this.id = id;
    this.name = name;
    this.kind = kind;
    this.errorPolicy = errorPolicy;
    this.payload = payload;
    this.spec = NodeSpec.of(kind, payload);
  }

  /** @return the node's typed spec */
  public NodeSpec spec() {
    return spec;
  }

  /** @return the node's name */
  public String name() {
    return name;
  }

  /** @return the node's kind */
  public Kind kind() {
    return kind;
  }

  /** @return the node's payload: source, sink, operator factory, exchange spec ... */
  public Object payload() {
    return payload;
  }

  @Override
  public String toString() {
    return kind + "(" + name + ")";
  }
}
