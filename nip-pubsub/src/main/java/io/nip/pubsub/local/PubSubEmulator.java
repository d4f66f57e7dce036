package io.nip.pubsub.local;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.pubsub.v1.SubscriptionAdminClient;
import com.google.cloud.pubsub.v1.SubscriptionAdminSettings;
import com.google.cloud.pubsub.v1.TopicAdminClient;
import com.google.cloud.pubsub.v1.TopicAdminSettings;
import com.google.pubsub.v1.DeadLetterPolicy;
import com.google.pubsub.v1.Subscription;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The official Pub/Sub emulator on this machine, for tests, demos and benchmarks (the gcloud
 * component {@code pubsub-emulator}), started with its own launcher script on 127.0.0.1 and a free
 * port, and stopped at {@link #close()}. Missing, {@link #start()} fails with a message naming the
 * component.
 *
 * <pre>{@code
 * try (PubSubEmulator pubsub = PubSubEmulator.start()) {
 *   pubsub.createTopic("events");
 *   pubsub.createSubscription("events-sub", "events", false, Duration.ofSeconds(60));
 *   PubSubSource<String> src = PubSubSource.builder(PubSubEmulator.PROJECT, "events-sub", Serdes.string())
 *       .emulatorHost(pubsub.hostPort()).build();
 * }
 * }</pre>
 */
public final class PubSubEmulator implements AutoCloseable {
  /** Where the gcloud component installs the emulator. */
  public static final Path LAUNCHER = Path.of("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator");
  /** The project the emulator's topics and subscriptions are created in. */
  public static final String PROJECT = "nip-local";

  private final Process process;
  private final String hostPort;
  private final ManagedChannel channel;
  private final TopicAdminClient topics;
  private final SubscriptionAdminClient subscriptions;
  private final Path log;

  private PubSubEmulator(Process process, String hostPort, Path log) throws IOException {
    this.process = process;
    this.log = log;
    this.hostPort = hostPort;
    this.channel = ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
    FixedTransportChannelProvider provider = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
    this.topics = TopicAdminClient.create(TopicAdminSettings.newBuilder().setTransportChannelProvider(provider)
        .setCredentialsProvider(NoCredentialsProvider.create()).build());
    this.subscriptions = SubscriptionAdminClient.create(SubscriptionAdminSettings.newBuilder()
        .setTransportChannelProvider(provider).setCredentialsProvider(NoCredentialsProvider.create()).build());
  }

  /**
   * Starts an emulator.
   *
   * @return the running emulator
   * @throws IllegalStateException when the emulator is missing or does not start within 60 s
   * @throws IOException when its log file cannot be created
   * @throws InterruptedException when interrupted while waiting for it
   */
  public static PubSubEmulator start() throws IOException, InterruptedException {
    if (!Files.isExecutable(LAUNCHER)) {
      throw new IllegalStateException("a local Pub/Sub server needs the official emulator (gcloud component "
          + "pubsub-emulator) at " + LAUNCHER);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("pubsub-emulator-", ".log");
    Process p = new ProcessBuilder(LAUNCHER.toString(), "--host=127.0.0.1", "--port=" + port)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(log).contains("Server started, listening on " + port)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("the Pub/Sub emulator did not start on port " + port + "; its log:\n"
            + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return new PubSubEmulator(p, "127.0.0.1:" + port, log);
  }

  /** @return "127.0.0.1:port", for {@code emulatorHost(...)} */
  public String hostPort() {
    return hostPort;
  }

  /** @param topic a topic id to create in {@link #PROJECT} */
  public void createTopic(String topic) {
    topics.createTopic("projects/" + PROJECT + "/topics/" + topic);
  }

  /**
   * @param subscription a subscription id to create
   * @param topic its topic id
   * @param ordering whether message ordering is on
   * @param ackDeadline the subscription's ack deadline (10 s to 600 s)
   */
  public void createSubscription(String subscription, String topic, boolean ordering, Duration ackDeadline) {
    createSubscription(subscription, topic, ordering, ackDeadline, null);
  }

  /**
   * @param subscription a subscription id to create
   * @param topic its topic id
   * @param ordering whether message ordering is on
   * @param ackDeadline the subscription's ack deadline (10 s to 600 s)
   * @param deadLetters a dead-letter policy (Pub/Sub then reports delivery attempts), or null
   */
  public void createSubscription(String subscription, String topic, boolean ordering, Duration ackDeadline,
      DeadLetterPolicy deadLetters) {
    Subscription.Builder b = Subscription.newBuilder()
        .setName("projects/" + PROJECT + "/subscriptions/" + subscription)
        .setTopic("projects/" + PROJECT + "/topics/" + topic)
        .setEnableMessageOrdering(ordering)
        .setAckDeadlineSeconds((int) ackDeadline.toSeconds());
    if (deadLetters != null) {
      b.setDeadLetterPolicy(deadLetters);
    }
    subscriptions.createSubscription(b.build());
  }

  /** Stops the emulator (forcibly after 10 s) and deletes its log file. */
  @Override
  public void close() {
    topics.close();
    subscriptions.close();
    channel.shutdownNow();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the emulator's log stays in the temporary directory
    }
  }
}
