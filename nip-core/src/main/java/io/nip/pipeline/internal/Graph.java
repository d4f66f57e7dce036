package io.nip.pipeline.internal;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The logical graph of one pipeline. The DSL adds nodes; names are unique (generated names carry
 * the node id). Not thread-safe: pipelines are built on one thread, then started.
 */
public final class Graph {
  private final List<Node> nodes = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private boolean frozen;

  /**
   * @param kind node kind
   * @param name explicit name, or null to derive one from {@code defaultName}
   * @param defaultName base of a generated name
   * @param policy error policy override, or null
   * @param payload what the node carries
   * @param inputs parent nodes
   * @param port the parents' output port (0 except for routes)
   * @return the node
   */
  public Node add(Node.Kind kind, String name, String defaultName, ErrorPolicy policy, Object payload,
      List<Node> inputs, int port) {
    if (frozen) {
      throw new ConfigurationException("pipeline", "cannot add '" + (name == null ? defaultName : name)
          + "' after the pipeline was started");
    }
    int id = nodes.size();
    String n = name != null ? name : defaultName + "-" + id;
    if (!names.add(n)) {
      throw ConfigurationException.invalid("operator name", "'" + n + "'", "must be unique in the pipeline");
    }
    Node node = new Node(id, n, kind, policy, payload);
    for (Node in : inputs) {
      node.inputs.add(in);
      in.outputs.add(node);
      in.outputPorts.add(new int[] {port});
    }
    nodes.add(node);
    return node;
  }

  /** Marks the graph as complete; further additions fail. */
  public void freeze() {
    frozen = true;
  }

  /** @return all nodes in creation order (parents before children) */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }
}
