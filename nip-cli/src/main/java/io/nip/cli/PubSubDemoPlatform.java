package io.nip.cli;

import io.nip.pubsub.PubSubSink;
import io.nip.pubsub.PubSubSource;
import io.nip.pubsub.local.PubSubEmulator;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.source.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.Function;

/**
 * The demo on Pub/Sub: the official emulator started with its own launcher on 127.0.0.1, a topic
 * per stream, the input published with ordering key {@code user_id} and read through the
 * subscription {@code <input>-sub} by one {@link PubSubSource} task, results and dead letters
 * published by {@link PubSubSink}. A bounded read ends after {@link #IDLE} without a message.
 *
 * <p>The subscription has no message ordering: on an ordered subscription the emulator delivers
 * the outstanding messages key by key, which puts users hours of event time apart and makes the
 * watermark (one task sees every user) declare most events late. Unordered, it delivers in the
 * order the messages arrived, and the loader's flush every {@value PlatformFeed#FLUSH_EVERY} lines
 * bounds how far users drift apart.
 */
final class PubSubDemoPlatform implements DemoPlatform {
  /** How long a bounded read waits for another message before it ends. */
  static final Duration IDLE = Duration.ofSeconds(3);
  /** The demo keeps lines to Kafka's and Kinesis' 1 MiB on Pub/Sub too, so that every platform takes the same lines. */
  static final int MAX_RECORD_BYTES = 1024 * 1024;
  /** The longest ordering key, in characters (Pub/Sub takes 1,024 bytes). */
  static final int MAX_KEY_CHARS = 256;

  private final PubSubEmulator emulator;

  private PubSubDemoPlatform(PubSubEmulator emulator) {
    this.emulator = emulator;
  }

  /**
   * @return the running emulator
   * @throws NipCommand.UsageException when the emulator is not installed, naming the gcloud component
   * @throws IOException when its log cannot be created
   * @throws InterruptedException when interrupted while it starts
   */
  static PubSubDemoPlatform start() throws IOException, InterruptedException {
    if (!Files.isExecutable(PubSubEmulator.LAUNCHER)) {
      throw new NipCommand.UsageException("--platform pubsub needs the Pub/Sub emulator (gcloud component "
          + "pubsub-emulator) at " + PubSubEmulator.LAUNCHER + "; install it with: gcloud components install "
          + "pubsub-emulator (or apt-get install google-cloud-cli-pubsub-emulator)");
    }
    try {
      return new PubSubDemoPlatform(PubSubEmulator.start());
    } catch (IllegalStateException e) {
      throw new NipCommand.UsageException("--platform pubsub: " + e.getMessage());
    }
  }

  @Override
  public String name() {
    return "pubsub";
  }

  @Override
  public void createStreams(String input, String output, String dlq) {
    emulator.createTopic(input);
    emulator.createTopic(output);
    emulator.createTopic(dlq);
    emulator.createSubscription(subscription(input), input, false, Duration.ofSeconds(60));
  }

  private static String subscription(String topic) {
    return topic + "-sub";
  }

  @Override
  public LineFeed feed(String stream, String pipeline) {
    PlatformFeed[] feed = new PlatformFeed[1];
    PubSubSink<byte[]> sink = PubSubSink.builder(PubSubEmulator.PROJECT, stream, Serdes.bytes())
        .emulatorHost(emulator.hostPort()).orderingKey(v -> (String) feed[0].currentKey()).build();
    feed[0] = new PlatformFeed(sink, pipeline, MAX_KEY_CHARS);
    return feed[0];
  }

  @Override
  public int maxRecordBytes() {
    return MAX_RECORD_BYTES;
  }

  @Override
  public String limit() {
    return String.format("the demo keeps lines to %,d bytes on every platform (Kafka's and Kinesis' record limit)",
        MAX_RECORD_BYTES);
  }

  @Override
  public String description() {
    return "Pub/Sub emulator at " + emulator.hostPort() + ", project " + PubSubEmulator.PROJECT;
  }

  @Override
  public <T> Source<T> source(String stream, Serde<T> parser, boolean bounded) {
    PubSubSource.Builder<T> b = PubSubSource.builder(PubSubEmulator.PROJECT, subscription(stream), parser)
        .emulatorHost(emulator.hostPort()).maxOutstandingMessages(20_000);
    if (bounded) {
      b.bounded(IDLE);
    }
    return b.build();
  }

  @Override
  public <R> Sink<R> sink(String stream, Serde<R> serde, Function<? super R, String> key) {
    PubSubSink.Builder<R> b = PubSubSink.builder(PubSubEmulator.PROJECT, stream, serde).emulatorHost(emulator.hostPort());
    if (key != null) {
      b.orderingKey(r -> PlatformFeed.safeKey(key.apply(r), MAX_KEY_CHARS));
    }
    return b.build();
  }

  @Override
  public void close() {
    emulator.close();
  }
}
