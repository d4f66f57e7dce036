package io.nip.kafka.embedded.internal;

import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running {@link KafkaRaftServer} in combined mode (broker and controller in one node) and the
 * directory it owns.
 *
 * <p>Start-up = pick two free ports, create and format a temporary directory, start the server.
 * {@link KafkaRaftServer#startup()} returns once the broker has caught up with the metadata log and
 * been unfenced by its own controller, so the node serves requests when this returns. Ports are
 * chosen before the bind, so another process can steal one in between; that shows up as a
 * {@link BindException} and the whole sequence is retried with new ports and a new directory (the
 * formatted quorum records the controller's port, so the directory cannot be reused).
 *
 * <p>Not thread-safe; {@code EmbeddedKafka} serialises {@link #stop()}.
 */
public final class KraftBroker {

  private static final Logger LOG = LoggerFactory.getLogger(KraftBroker.class);
  private static final int ATTEMPTS = 3;

  private final LogDirectory directory;
  private final KafkaRaftServer server;
  private final int brokerPort;

  private KraftBroker(LogDirectory directory, KafkaRaftServer server, int brokerPort) {
    this.directory = directory;
    this.server = server;
    this.brokerPort = brokerPort;
  }

  /** Formats a fresh directory and starts the node; {@code overrides} must not hold managed keys. */
  public static KraftBroker start(Map<String, String> overrides) {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(overrides);
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !causedByBindFailure(e)) {
          throw e;
        }
        LOG.warn("Port taken while starting the embedded broker (attempt {} of {}), retrying: {}",
            attempt, ATTEMPTS, e.toString());
      }
    }
  }

  /**
   * Starts the node on a directory kept across runs: formatted on its first start, started as it is
   * afterwards (its topics and records are still there), with the controller port recorded then.
   *
   * @param overrides broker settings without managed keys
   * @param brokerPort the client port, or 0 for a free one
   * @param root the kept directory, or null for a temporary one that {@link #stop()} deletes
   * @return the running node; {@link #stop()} keeps a kept directory
   */
  public static KraftBroker startKept(Map<String, String> overrides, int brokerPort, Path root) {
    LogDirectory directory = root != null ? LogDirectory.kept(root) : LogDirectory.createTemporary();
    int controllerPort = directory.isFormatted() ? directory.recordedControllerPort() : -1;
    int[] free = LocalPorts.twoFreePorts();
    int port = brokerPort > 0 ? brokerPort : free[0];
    if (controllerPort <= 0) {
      controllerPort = free[1] != port ? free[1] : free[0];
    }
    Map<String, String> properties = BrokerProperties.of(port, controllerPort, directory.logs(), overrides);
    if (directory.isFormatted()) {
      directory.writeConfig(properties);
    } else {
      directory.format(properties);
    }
    return run(directory, properties, port);
  }

  private static KraftBroker startOnce(Map<String, String> overrides) {
    int[] ports = LocalPorts.twoFreePorts();
    LogDirectory directory = LogDirectory.createTemporary();
    Map<String, String> properties = BrokerProperties.of(ports[0], ports[1], directory.logs(), overrides);
    directory.format(properties);
    return run(directory, properties, ports[0]);
  }

  private static KraftBroker run(LogDirectory directory, Map<String, String> properties, int brokerPort) {
    try {
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException | Error e) {
        shutdownQuietly(server);
        throw e;
      }
      return new KraftBroker(directory, server, brokerPort);
    } catch (RuntimeException | Error e) {
      deleteQuietly(directory);
      throw e;
    }
  }

  /** {@code host:port} of the PLAINTEXT listener. */
  public String bootstrapServers() {
    return BrokerProperties.HOST + ":" + brokerPort;
  }

  /** The temporary directory holding the configuration and the logs. */
  public LogDirectory directory() {
    return directory;
  }

  /** Shuts the node down, waits for it, then deletes its directory (unless it is kept). */
  public void stop() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      directory.delete();
    }
  }

  private static boolean causedByBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.warn("Shutting down a broker that failed to start failed too", e);
    }
  }

  private static void deleteQuietly(LogDirectory directory) {
    try {
      directory.delete();
    } catch (RuntimeException e) {
      LOG.warn("Could not delete {}", directory.root(), e);
    }
  }
}
