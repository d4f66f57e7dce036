package io.nip.bench.e2e;

import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;

/**
 * Runs the embedded broker in a JVM of its own for the end-to-end benchmarks, so that the broker's
 * threads, heap and JIT do not share the measured JVM. Prints {@code bootstrap=<host:port>} on
 * standard output once the broker serves requests, then runs until its standard input closes (the
 * parent exits or closes it), and closes the broker.
 */
public final class BrokerMain {
  /** The line prefix that carries the bootstrap address. */
  static final String BOOTSTRAP_PREFIX = "bootstrap=";

  private BrokerMain() {}

  /**
   * @param args ignored
   * @throws IOException never in practice (standard input)
   */
  public static void main(String[] args) throws IOException {
    try (EmbeddedKafka kafka = EmbeddedKafka.builder()
        .brokerProperty("log.retention.bytes", "-1")
        .brokerProperty("log.retention.hours", "24")
        .start()) {
      System.out.println(BOOTSTRAP_PREFIX + kafka.bootstrapServers());
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // wait for end of input
      }
    }
    System.exit(0);
  }
}
