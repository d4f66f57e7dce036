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
 * per stream, the input read through the subscription {@code <input>-sub} by one
 * {@link PubSubSource} task, results (ordering key {@code user_id}) and dead letters published by
 * {@link PubSubSink}. A bounded read ends after {@link #IDLE} without a message.
 *
 * <p>Input order: one task sees every user, so its watermark follows the input's event time as a
 * whole, and messages must arrive close to input order. The subscription has no message ordering
 * (on an ordered subscription the emulator delivers the outstanding messages key by key, hours of
 * event time apart) and the input is published without ordering keys (a publisher with ordering
 * keys batches per key, which reorders users within a flush) in batches of {@value #FLUSH_EVERY},
 * each flushed before the next: messages arrive at most one batch out of input order.
 */
final class PubSubDemoPlatform implements DemoPlatform {
  /** How long a bounded read waits for another message before it ends. */
  static final Duration IDLE = Duration.ofSeconds(3);
  /** The demo keeps lines to Kafka's and Kinesis' 1 MiB on Pub/Sub too, so that every platform takes the same lines. */
  static final int MAX_RECORD_BYTES = 1024 * 1024;
  /** The longest ordering key, in characters (Pub/Sub takes 1,024 bytes). */
  static final int MAX_KEY_CHARS = 256;
  /** Lines the loader publishes between two flushes, as one batch. */
  static final int FLUSH_EVERY = 100;

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
    return new PlatformFeed(PubSubSink.builder(PubSubEmulator.PROJECT, stream, Serdes.bytes())
        .emulatorHost(emulator.hostPort()).maxBatchMessages(FLUSH_EVERY).build(), pipeline, MAX_KEY_CHARS,
        MAX_RECORD_BYTES, FLUSH_EVERY);
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
