package io.nip.bench.e2e;

import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.cloud.pubsub.v1.Subscriber;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import io.grpc.ManagedChannelBuilder;
import io.nip.kinesis.KinesisSource;
import io.nip.kinesis.local.KinesisLocal;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pubsub.PubSubSource;
import io.nip.pubsub.local.PubSubEmulator;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.source.Source;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * {@code nip bench connectors}: a bounded read of the same records by NIP's connector and by a plain
 * SDK consumer loop, on the same local server in the same run — Kinesis on kinesis-local (the plain
 * loop: one thread per shard calling GetRecords, as NIP has one fetch thread per shard), Pub/Sub on
 * the official emulator (the plain loop: the client library's Subscriber acking each message on
 * receipt, with the same 10,000-message flow control). Both read raw bytes; the clock stops when the
 * last record reached the consumer (NIP: a counting sink). Prints records/s and NIP / plain.
 *
 * <pre>{@code
 * ./nip bench connectors --records 200000
 * }</pre>
 */
@Command(name = "connectors", mixinStandardHelpOptions = true,
    description = "Bounded reads of --records records by NIP's Kinesis and Pub/Sub sources and by a plain SDK "
        + "consumer loop on the same local server (kinesis-local, the Pub/Sub emulator); prints records/s and ratios.")
final class ConnectorsBench implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  @Spec
  CommandSpec spec;

  @Option(names = "--records", defaultValue = "200000", description = "records per connector (default ${DEFAULT-VALUE})")
  int records;

  @Option(names = "--shards", defaultValue = "4", description = "shards of the Kinesis stream (default ${DEFAULT-VALUE})")
  int shards;

  @Option(names = "--rounds", defaultValue = "2",
      description = "rounds per connector, alternating which reader goes first (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--platforms", defaultValue = "kinesis,pubsub", split = ",",
      description = "which connectors (default ${DEFAULT-VALUE})")
  List<String> platforms;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    for (String platform : platforms) {
      if ("kinesis".equals(platform)) {
        kinesis(out);
      } else {
        pubsub(out);
      }
    }
    return 0;
  }

  /** Runs both readers {@link #rounds} times, alternating which goes first, and prints each round. */
  private void compare(PrintWriter out, String platform, Reader plain, Reader nip) throws Exception {
    for (int round = 1; round <= rounds; round++) {
      boolean nipFirst = round % 2 == 0;
      double first = (nipFirst ? nip : plain).read(round);
      double second = (nipFirst ? plain : nip).read(round);
      double plainRate = nipFirst ? second : first;
      double nipRate = nipFirst ? first : second;
      out.printf("%-8s round %d (%s first): plain SDK loop %,9.0f records/s   NIP %,9.0f records/s   NIP / plain = %.2f%n",
          platform, round, nipFirst ? "NIP" : "plain", plainRate, nipRate, nipRate / plainRate);
      out.flush();
    }
  }

  /** One bounded read of every record; returns records/s. */
  private interface Reader {
    double read(int round) throws Exception;
  }

  private static byte[] record(int i) {
    return ("{\"user_id\":\"user_" + (i % 1000) + "\",\"event_type\":\"click\",\"seq\":" + i
        + ",\"timestamp\":\"2026-12-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
  }

  // ---- Kinesis ----

  private void kinesis(PrintWriter out) throws Exception {
    try (KinesisLocal k = KinesisLocal.start()) {
      k.createStream("bench", shards);
      long t0 = System.nanoTime();
      fillKinesis(k.client());
      out.printf("kinesis: %,d records in %d shards written in %.1f s%n", records, shards,
          (System.nanoTime() - t0) / 1e9);
      out.flush();
      compare(out, "kinesis", round -> plainKinesis(k), round -> nipRead(KinesisSource.builder("bench", Serdes.bytes())
          .endpoint(k.endpoint()).credentials(KinesisLocal.CREDENTIALS).region(KinesisLocal.REGION).build(),
          Duration.ofSeconds(5)));
    }
  }

  private void fillKinesis(KinesisClient client) throws InterruptedException {
    List<PutRecordsRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      batch.add(PutRecordsRequestEntry.builder().partitionKey("user_" + (i % 1000))
          .data(SdkBytes.fromByteArrayUnsafe(record(i))).build());
      if (batch.size() == 500 || i == records - 1) {
        List<PutRecordsRequestEntry> left = batch;
        while (!left.isEmpty()) {
          PutRecordsResponse r = client.putRecords(PutRecordsRequest.builder().streamName("bench").records(left).build());
          List<PutRecordsRequestEntry> failed = new ArrayList<>();
          for (int j = 0; j < r.records().size(); j++) {
            if (r.records().get(j).errorCode() != null) {
              failed.add(left.get(j));
            }
          }
          left = failed;
          if (!left.isEmpty()) {
            Thread.sleep(50);
          }
        }
        batch = new ArrayList<>();
      }
    }
  }

  /** One thread per shard: GetShardIterator(TRIM_HORIZON), then GetRecords until the shard is caught up. */
  private double plainKinesis(KinesisLocal k) throws InterruptedException {
    List<String> shardIds = k.shardIds("bench");
    AtomicLong count = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long t0 = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (String shard : shardIds) {
      Thread t = new Thread(() -> {
        KinesisClient c = KinesisClient.builder().region(software.amazon.awssdk.regions.Region.of(KinesisLocal.REGION))
            .credentialsProvider(KinesisLocal.CREDENTIALS).endpointOverride(k.endpoint()).build();
        try (c) {
          String it = c.getShardIterator(b -> b.streamName("bench").shardId(shard)
              .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
          while (it != null && count.get() < records) {
            String current = it;
            GetRecordsResponse r = c.getRecords(b -> b.shardIterator(current).limit(10_000));
            r.records().forEach(rec -> bytes.addAndGet(rec.data().asByteArrayUnsafe().length));
            count.addAndGet(r.records().size());
            if (r.records().isEmpty() && r.millisBehindLatest() != null && r.millisBehindLatest() == 0) {
              break;
            }
            it = r.nextShardIterator();
          }
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(TIMEOUT.toMillis());
    }
    long elapsed = System.nanoTime() - t0;
    if (count.get() != records) {
      throw new IllegalStateException("the plain Kinesis loop read " + count.get() + " of " + records + " records");
    }
    return records / (elapsed / 1e9);
  }

  // ---- Pub/Sub ----

  private void pubsub(PrintWriter out) throws Exception {
    try (PubSubEmulator e = PubSubEmulator.start()) {
      e.createTopic("bench");
      for (int round = 1; round <= rounds; round++) {
        e.createSubscription("bench-plain-" + round, "bench", false, Duration.ofSeconds(60));
        e.createSubscription("bench-nip-" + round, "bench", false, Duration.ofSeconds(60));
      }
      long t0 = System.nanoTime();
      fillPubSub(e);
      out.printf("pubsub: %,d messages published in %.1f s (to %d subscriptions)%n", records,
          (System.nanoTime() - t0) / 1e9, 2 * rounds);
      out.flush();
      compare(out, "pubsub", round -> plainPubSub(e, "bench-plain-" + round),
          round -> nipRead(PubSubSource.builder(PubSubEmulator.PROJECT, "bench-nip-" + round, Serdes.bytes())
              .emulatorHost(e.hostPort()).build(), Duration.ofMillis(100)));
    }
  }

  private static InstantiatingGrpcChannelProvider channel(PubSubEmulator e) {
    return InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(e.hostPort())
        .setChannelConfigurator(ManagedChannelBuilder::usePlaintext).build();
  }

  private void fillPubSub(PubSubEmulator e) throws Exception {
    Publisher p = Publisher.newBuilder("projects/" + PubSubEmulator.PROJECT + "/topics/bench")
        .setChannelProvider(channel(e)).setCredentialsProvider(NoCredentialsProvider.create()).build();
    try {
      List<com.google.api.core.ApiFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        futures.add(p.publish(PubsubMessage.newBuilder().setData(ByteString.copyFrom(record(i))).build()));
        if (futures.size() == 10_000) {
          for (var f : futures) {
            f.get();
          }
          futures.clear();
        }
      }
      for (var f : futures) {
        f.get();
      }
    } finally {
      p.shutdown();
      p.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  /** The client library's Subscriber, acking each message as it arrives, until every message came. */
  private double plainPubSub(PubSubEmulator e, String subscription) throws InterruptedException {
    AtomicLong count = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    long t0 = System.nanoTime();
    Subscriber s = Subscriber.newBuilder("projects/" + PubSubEmulator.PROJECT + "/subscriptions/" + subscription,
            (com.google.cloud.pubsub.v1.MessageReceiver) (msg, reply) -> {
              msg.getData().toByteArray();
              reply.ack();
              if (count.incrementAndGet() == records) {
                all.countDown();
              }
            })
        .setChannelProvider(channel(e)).setCredentialsProvider(NoCredentialsProvider.create())
        .setFlowControlSettings(FlowControlSettings.newBuilder().setMaxOutstandingElementCount(10_000L).build())
        .build();
    s.startAsync().awaitRunning();
    boolean done = all.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    long elapsed = System.nanoTime() - t0;
    s.stopAsync().awaitTerminated();
    if (!done) {
      throw new IllegalStateException("the plain Subscriber received " + count.get() + " of " + records + " messages");
    }
    return records / (elapsed / 1e9);
  }

  // ---- NIP ----

  /** Runs the source into a counting sink until every record arrived; returns records/s. */
  private double nipRead(Source<byte[]> source, Duration commitInterval) throws InterruptedException {
    AtomicLong count = new AtomicLong();
    CountDownLatch all = new CountDownLatch(1);
    Pipeline p = Pipeline.named("bench-" + source.name() + "-" + System.nanoTime(), PipelineConfig.builder().threads(2)
        .commitInterval(commitInterval).build());
    p.from(source).to(counting(count, all));
    long t0 = System.nanoTime();
    PipelineHandle h = p.start();
    boolean done = all.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    long elapsed = System.nanoTime() - t0;
    h.stop();
    h.awaitTermination(Duration.ofSeconds(60));
    if (!done) {
      throw new IllegalStateException("NIP read " + count.get() + " of " + records + " records from " + source.name());
    }
    return records / (elapsed / 1e9);
  }

  private Sink<byte[]> counting(AtomicLong count, CountDownLatch all) {
    return new Sink<>() {
      @Override
      public String name() {
        return "count";
      }

      @Override
      public SinkWriter<byte[]> createWriter(SinkContext context) {
        return new SinkWriter<>() {
          @Override
          public void write(byte[] value) {
            if (count.incrementAndGet() == records) {
              all.countDown();
            }
          }

          @Override
          public void close() {}
        };
      }
    };
  }
}
