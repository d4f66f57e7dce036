package io.nip.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Checks {@code --bootstrap-servers} before any Kafka client uses it.
 *
 * <p>Design: a Kafka client given a wrong address retries until its API timeout (a minute by
 * default) and logs a WARN per attempt; a new user sees dozens of lines and no verdict. This check
 * turns each way of failing into one {@link NipCommand.UsageException} (exit code 2) that names the
 * address and the cause, within {@link #TIMEOUT}: an entry that is not {@code HOST:PORT}, a host
 * that does not resolve, a port nobody listens on, a server that does not answer as Kafka, and a
 * cluster whose brokers advertise addresses this machine cannot reach. It connects plain sockets
 * first, so no Kafka client runs against an address known to be dead; only then does an
 * {@link Admin} ask for the cluster's brokers. Stateless.
 */
final class BootstrapCheck {
  /** The whole check's time budget: sockets, then the cluster's answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(8);

  private BootstrapCheck() {}

  /**
   * Checks the servers, if given.
   *
   * <pre>{@code
   * BootstrapCheck.require("localhost:9092");   // returns once a broker there answered
   * }</pre>
   *
   * @param servers comma-separated {@code HOST:PORT} entries, or null (nothing to check)
   * @throws NipCommand.UsageException naming the address and the cause when it cannot be used
   */
  static void require(String servers) {
    if (servers == null) {
      return;
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<InetSocketAddress> addresses = parse(servers);
    InetSocketAddress reachable = firstReachable(servers, addresses, deadline);
    for (Node node : brokers(servers, reachable, deadline)) {
      String problem = connectProblem(InetSocketAddress.createUnresolved(node.host(), node.port()), deadline);
      if (problem != null) {
        throw fail(servers, "broker " + node.id() + " advertises " + node.host() + ":" + node.port()
            + ", which cannot be reached from here (" + problem + "); check its advertised.listeners");
      }
    }
  }

  /**
   * @param servers comma-separated {@code HOST:PORT} entries; IPv6 hosts in brackets
   * @return the entries, unresolved
   * @throws NipCommand.UsageException naming the entry that is not {@code HOST:PORT}
   */
  static List<InetSocketAddress> parse(String servers) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String raw : servers.split(",", -1)) {
      String entry = raw.trim();
      int colon = entry.lastIndexOf(':');
      String host = colon < 0 ? entry : entry.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (colon < 0 || host.isEmpty()) {
        throw fail(servers, "'" + entry + "' is not HOST:PORT (e.g. localhost:9092)");
      }
      String port = entry.substring(colon + 1);
      int p;
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 1 || p > 65535) {
        throw fail(servers, "the port '" + port + "' of '" + entry + "' is not a number from 1 to 65535");
      }
      out.add(InetSocketAddress.createUnresolved(host, p));
    }
    return out;
  }

  private static InetSocketAddress firstReachable(String servers, List<InetSocketAddress> addresses, long deadline) {
    List<String> problems = new ArrayList<>();
    for (InetSocketAddress a : addresses) {
      String problem = connectProblem(a, deadline);
      if (problem == null) {
        return a;
      }
      problems.add((addresses.size() > 1 ? a.getHostString() + ":" + a.getPort() + ": " : "") + problem);
    }
    throw fail(servers, String.join("; ", problems));
  }

  /** @return null when a TCP connection opens, else why not */
  private static String connectProblem(InetSocketAddress unresolved, long deadline) {
    InetSocketAddress a = new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
    if (a.isUnresolved()) {
      return "unknown host " + unresolved.getHostString();
    }
    int timeoutMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    try (Socket socket = new Socket()) {
      socket.connect(a, timeoutMs);
      return null;
    } catch (UnknownHostException e) {
      return "unknown host " + unresolved.getHostString();
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return "cannot connect: " + why.replaceAll(" \\(.*\\)$", "");
    }
  }

  private static Collection<Node> brokers(String servers, InetSocketAddress reachable, long deadline) {
    int timeoutMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    String address = reachable.getHostString() + ":" + reachable.getPort();
    Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
        AdminClientConfig.RETRIES_CONFIG, 0);
    Admin admin = Admin.create(config);
    try {
      return admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).nodes()
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw fail(servers, address + " accepted a connection but gave no Kafka answer within "
          + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        // the client's own deadline, the same as ours, ran out first
        throw fail(servers, address + " accepted a connection but gave no Kafka answer within "
            + TIMEOUT.toSeconds() + " s");
      }
      throw fail(servers, address + " accepted a connection but gave no Kafka answer: "
          + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(servers, "interrupted while asking " + address + " for its brokers");
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  private static NipCommand.UsageException fail(String servers, String cause) {
    return new NipCommand.UsageException("--bootstrap-servers " + servers + ": " + cause);
  }
}
