package io.nip.kinesis.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A real Kinesis-compatible server on this machine, for tests, demos and benchmarks: the npm package
 * {@code kinesis-local} (kinesis-mock), installed by {@code ./run-tests} into the repository's
 * {@code .services/} directory, started with node on free ports (plain HTTP; it accepts any static
 * credentials, e.g. {@link #CREDENTIALS}) and stopped at {@link #close()}. Missing, {@link #start()}
 * fails with a message naming the package.
 *
 * <pre>{@code
 * try (KinesisLocal kinesis = KinesisLocal.start()) {
 *   kinesis.createStream("events", 2);
 *   KinesisSource<String> src = KinesisSource.builder("events", Serdes.string()).endpoint(kinesis.endpoint())
 *       .credentials(KinesisLocal.CREDENTIALS).build();
 * }
 * }</pre>
 */
public final class KinesisLocal implements AutoCloseable {
  /** The static credentials the tests sign with (the server accepts any). */
  public static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("test-access-key", "test-secret-key"));
  /** The region the tests use. */
  public static final String REGION = "us-east-1";

  private final Process process;
  private final URI endpoint;
  private final KinesisClient client;
  private final Path log;

  private KinesisLocal(Process process, URI endpoint, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.log = log;
    this.client = KinesisClient.builder().region(Region.of(REGION)).credentialsProvider(CREDENTIALS)
        .endpointOverride(endpoint).build();
  }

  /**
   * @return the repository's {@code .services/} directory: under the first directory upwards from
   *     the working directory that holds {@code run-tests}
   * @throws IllegalStateException when there is none
   */
  public static Path servicesDirectory() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("run-tests"))) {
        return d.resolve(".services");
      }
    }
    throw new IllegalStateException("no run-tests script above " + dir + ": cannot find the repository's .services/"
        + " where ./run-tests installs the npm package kinesis-local");
  }

  /**
   * Starts a server from {@link #servicesDirectory()}.
   *
   * @return the running server, answering ListStreams
   * @throws IllegalStateException when the package or node is missing, or the server does not answer
   * @throws IOException when its log file cannot be created
   * @throws InterruptedException when interrupted while waiting for it
   */
  public static KinesisLocal start() throws IOException, InterruptedException {
    return start(servicesDirectory());
  }

  /**
   * Starts a server installed under a directory ({@code npm install --prefix DIR kinesis-local@0.6}).
   *
   * @param services the npm prefix holding {@code node_modules/kinesis-local}
   * @return the running server, answering ListStreams
   * @throws IllegalStateException when the package or node is missing, or the server does not answer
   * @throws IOException when its log file cannot be created
   * @throws InterruptedException when interrupted while waiting for it
   */
  public static KinesisLocal start(Path services) throws IOException, InterruptedException {
    Path pkg = services.resolve("node_modules/kinesis-local");
    if (!Files.exists(pkg.resolve("main.js"))) {
      throw new IllegalStateException("a local Kinesis server needs the npm package kinesis-local (kinesis-mock) in "
          + pkg + ": run ./run-tests, or `npm install --prefix .services kinesis-local@0.6`");
    }
    int plain = freePort();
    int tls = freePort();
    Path log = Files.createTempFile("kinesis-local-", ".log");
    ProcessBuilder pb = new ProcessBuilder("node", pkg.resolve("main.js").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
    pb.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
    pb.environment().put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
    pb.environment().put("LOG_LEVEL", "WARN");
    pb.environment().put("SHARD_LIMIT", "200");
    pb.environment().put("SPLIT_SHARD_DURATION", "200ms");
    pb.environment().put("CREATE_STREAM_DURATION", "200ms");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("a local Kinesis server needs node (Debian package nodejs) to run kinesis-local", e);
    }
    KinesisLocal server = new KinesisLocal(p, URI.create("http://127.0.0.1:" + plain), log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        server.client.listStreams();
        return server;
      } catch (RuntimeException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          String output = Files.readString(log);
          server.close();
          throw new IllegalStateException("kinesis-local did not answer on port " + plain + "; its log:\n"
              + output, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** @return the plain HTTP endpoint, for {@code endpoint(...)} */
  public URI endpoint() {
    return endpoint;
  }

  /** @return a client of the server */
  public KinesisClient client() {
    return client;
  }

  /**
   * Creates a stream and waits until it is ACTIVE.
   *
   * @param name the stream
   * @param shards its shard count
   * @throws InterruptedException when interrupted while waiting
   */
  public void createStream(String name, int shards) throws InterruptedException {
    client.createStream(CreateStreamRequest.builder().streamName(name).shardCount(shards).build());
    awaitActive(name);
  }

  /**
   * @param name a stream that must become ACTIVE within 30 s
   * @throws InterruptedException when interrupted while waiting
   */
  public void awaitActive(String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (client.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name).build())
        .streamDescriptionSummary().streamStatus() != StreamStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("stream " + name + " did not become ACTIVE");
      }
      Thread.sleep(50);
    }
  }

  /**
   * @param stream a stream
   * @return its shard ids
   */
  public List<String> shardIds(String stream) {
    return client.listShards(b -> b.streamName(stream)).shards().stream().map(s -> s.shardId()).toList();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stops the server (forcibly after 10 s) and deletes its log file. */
  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the server's log stays in the temporary directory
    }
  }
}
