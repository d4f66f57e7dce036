package io.nip.kafka.embedded.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The configuration of the single-node KRaft broker.
 *
 * <p>Three layers, later ones winning: defaults tuned for one node (replication factor 1 everywhere,
 * no rebalance delay, no auto-created topics, a small cleaner buffer), the caller's overrides, and the
 * managed keys (roles, node id, listeners, quorum, log directory). Managed keys are never taken from
 * the caller because the broker only works when they agree with the ports and the formatted log
 * directory; {@link #MANAGED} lists them so the builder can reject them up front.
 */
public final class BrokerProperties {

  /** Keys derived from the ports and the log directory; callers cannot override them. */
  public static final Set<String> MANAGED = Set.of(
      "process.roles",
      "node.id",
      "listeners",
      "advertised.listeners",
      "controller.listener.names",
      "listener.security.protocol.map",
      "inter.broker.listener.name",
      "controller.quorum.bootstrap.servers",
      "controller.quorum.voters",
      "log.dir",
      "log.dirs",
      "metadata.log.dir");

  static final String HOST = "127.0.0.1";
  static final int NODE_ID = 1;

  private BrokerProperties() {}

  /** Single-node defaults; each can be overridden through the builder. */
  public static Map<String, String> defaults() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("auto.create.topics.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    return p;
  }

  /**
   * The full broker configuration.
   *
   * @param brokerPort port of the PLAINTEXT listener clients use
   * @param controllerPort port of the CONTROLLER listener the KRaft quorum uses
   * @param logDir the (formatted or to-be-formatted) log directory
   * @param overrides caller's settings, without managed keys
   */
  public static Map<String, String> of(int brokerPort, int controllerPort, Path logDir,
      Map<String, String> overrides) {
    Map<String, String> p = defaults();
    p.putAll(overrides);
    String broker = HOST + ":" + brokerPort;
    String controller = HOST + ":" + controllerPort;
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("listeners", "PLAINTEXT://" + broker + ",CONTROLLER://" + controller);
    p.put("advertised.listeners", "PLAINTEXT://" + broker);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("controller.quorum.bootstrap.servers", controller);
    p.put("log.dirs", logDir.toAbsolutePath().toString());
    return p;
  }
}
