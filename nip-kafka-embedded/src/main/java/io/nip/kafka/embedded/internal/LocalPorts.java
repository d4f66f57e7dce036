package io.nip.kafka.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks free TCP ports on 127.0.0.1 by binding port 0 and releasing it.
 *
 * <p>Another process may take a port between release and the broker's bind; the caller retries the
 * whole start-up with fresh ports when that happens.
 */
public final class LocalPorts {

  private LocalPorts() {}

  /** Two distinct free ports on 127.0.0.1, held open together so they cannot coincide. */
  public static int[] twoFreePorts() {
    try (ServerSocket first = open(); ServerSocket second = open()) {
      return new int[] {first.getLocalPort(), second.getLocalPort()};
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + BrokerProperties.HOST, e);
    }
  }

  private static ServerSocket open() throws IOException {
    ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(BrokerProperties.HOST));
    socket.setReuseAddress(true);
    return socket;
  }
}
