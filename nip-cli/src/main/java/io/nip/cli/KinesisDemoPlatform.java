package io.nip.cli;

import io.nip.kinesis.KinesisSink;
import io.nip.kinesis.KinesisSource;
import io.nip.kinesis.local.KinesisLocal;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.source.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * The demo on Kinesis: kinesis-local (kinesis-mock, npm) started from the repository's
 * {@code .services/}, streams of {@value #SHARDS} shards for the input and results and one for the
 * dead letters, records keyed by {@code user_id} (partition key), read by {@link KinesisSource}
 * (one task per shard) and written by {@link KinesisSink}. Static test credentials; the server
 * accepts any.
 */
final class KinesisDemoPlatform implements DemoPlatform {
  /** Shards of the input and results streams, as the Kafka demo's partitions. */
  static final int SHARDS = 3;
  /** A Kinesis record: at most 1 MiB of data and partition key. */
  static final int MAX_RECORD_BYTES = 1024 * 1024;
  /** The longest partition key, in characters. */
  static final int MAX_KEY_CHARS = 256;
  /**
   * Lines the loader writes between two flushes: one PutRecords call, or more when the lines pass
   * its 5 MiB (a shard keeps the order of a call's records, and each call completes before the
   * next; records a call failed are retried after the others, so they may arrive out of order).
   */
  static final int FLUSH_EVERY = 500;

  private final KinesisLocal server;

  private KinesisDemoPlatform(KinesisLocal server) {
    this.server = server;
  }

  /**
   * @param services the npm prefix holding {@code node_modules/kinesis-local}
   * @return the running server
   * @throws NipCommand.UsageException when kinesis-local or node is missing, naming the command that installs it
   * @throws IOException when its log cannot be created
   * @throws InterruptedException when interrupted while it starts
   */
  static KinesisDemoPlatform start(Path services) throws IOException, InterruptedException {
    if (!Files.exists(services.resolve("node_modules/kinesis-local/main.js"))) {
      throw new NipCommand.UsageException("--platform kinesis needs the npm package kinesis-local (kinesis-mock) in "
          + services.resolve("node_modules/kinesis-local") + "; install it with: npm install --prefix " + services
          + " kinesis-local@0.6 (./run-tests does this too)");
    }
    try {
      return new KinesisDemoPlatform(KinesisLocal.start(services));
    } catch (IllegalStateException e) {
      throw new NipCommand.UsageException("--platform kinesis: " + e.getMessage());
    }
  }

  @Override
  public String name() {
    return "kinesis";
  }

  @Override
  public void createStreams(String input, String output, String dlq) {
    try {
      server.createStream(input, SHARDS);
      server.createStream(output, SHARDS);
      server.createStream(dlq, 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the Kinesis streams", e);
    }
  }

  @Override
  public LineFeed feed(String stream, String pipeline) {
    return new PlatformFeed(sink(stream, Serdes.bytes(), null), pipeline, MAX_KEY_CHARS, MAX_RECORD_BYTES,
        FLUSH_EVERY);
  }

  @Override
  public int maxRecordBytes() {
    return MAX_RECORD_BYTES;
  }

  @Override
  public String limit() {
    return String.format("a Kinesis record holds at most %,d bytes, partition key included", MAX_RECORD_BYTES);
  }

  @Override
  public String description() {
    return "kinesis-local at " + server.endpoint();
  }

  @Override
  public <T> Source<T> source(String stream, Serde<T> parser, boolean bounded) {
    KinesisSource.Builder<T> b = KinesisSource.builder(stream, parser).region(KinesisLocal.REGION)
        .endpoint(server.endpoint()).credentials(KinesisLocal.CREDENTIALS).idleInterval(Duration.ofMillis(50));
    if (bounded) {
      b.bounded();
    }
    return b.build();
  }

  @Override
  public <R> Sink<R> sink(String stream, Serde<R> serde, Function<? super R, String> key) {
    KinesisSink.Builder<R> b = KinesisSink.builder(stream, serde).region(KinesisLocal.REGION)
        .endpoint(server.endpoint()).credentials(KinesisLocal.CREDENTIALS);
    if (key != null) {
      b.partitionKey(r -> PlatformFeed.safeKey(key.apply(r), MAX_KEY_CHARS));
    }
    return b.build();
  }

  @Override
  public void close() {
    server.close();
  }
}
