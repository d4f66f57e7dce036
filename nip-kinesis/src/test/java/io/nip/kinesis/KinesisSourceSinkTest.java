package io.nip.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConnectorException;
import io.nip.kinesis.local.KinesisLocal;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SplitShardRequest;

/**
 * KinesisSource and KinesisSink against a real Kinesis-compatible server (kinesis-mock, started
 * here): a bounded job reads every record exactly once, a restarted pipeline resumes from its
 * checkpoint, a shard split mid-stream keeps each key's order and loses nothing, and the sink
 * respects the PutRecords limits.
 */
class KinesisSourceSinkTest {
  private static KinesisLocal kinesis;

  @BeforeAll
  static void startServer() throws Exception {
    kinesis = KinesisLocal.start();
  }

  @AfterAll
  static void stopServer() {
    if (kinesis != null) {
      kinesis.close();
    }
  }

  private static KinesisSource.Builder<String> source(String stream) {
    return KinesisSource.builder(stream, Serdes.string()).region(KinesisLocal.REGION).endpoint(kinesis.endpoint())
        .credentials(KinesisLocal.CREDENTIALS).idleInterval(Duration.ofMillis(50));
  }

  private static KinesisSink<String> sink(String stream) {
    return sink(kinesis, stream);
  }

  /** A sink of "key:rest" values to a stream of {@code server}, partition key = the part before ':'. */
  static KinesisSink<String> sink(KinesisLocal server, String stream) {
    return KinesisSink.builder(stream, Serdes.string()).region(KinesisLocal.REGION).endpoint(server.endpoint())
        .credentials(KinesisLocal.CREDENTIALS).partitionKey(v -> v.substring(0, v.indexOf(':'))).build();
  }

  private static void write(String stream, int from, int to, int keys) throws InterruptedException {
    write(kinesis, stream, from, to, keys);
  }

  /** Writes "k<i % keys>:<i>" for i in [from, to) to a stream of {@code server} through a pipeline with a KinesisSink. */
  static void write(KinesisLocal server, String stream, int from, int to, int keys) throws InterruptedException {
    List<String> values = new ArrayList<>();
    for (int i = from; i < to; i++) {
      values.add("k" + (i % keys) + ":" + i);
    }
    Pipeline p = Pipeline.named("writer-" + stream);
    p.from(Sources.collection("values", values)).to(sink(server, stream));
    PipelineHandle h = p.start();
    // kinesis-local takes 300 to 400 records a second in PutRecords
    assertThat(h.awaitTermination(Duration.ofSeconds(60 + (to - from) / 100))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
  }

  /** The context of a sink writer created outside a pipeline: task "t-0", no current record. */
  static SinkContext sinkContext(String pipeline) {
    return new SinkContext() {
      @Override
      public String pipelineName() {
        return pipeline;
      }

      @Override
      public String taskId() {
        return "t-0";
      }

      @Override
      public Instant currentTimestamp() {
        return Instant.EPOCH;
      }
    };
  }

  private static void awaitSize(CollectingSink<?> out, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (out.values().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(out.values().size()).as("records read").isGreaterThanOrEqualTo(n);
  }

  private static void assertOrderPerKey(List<String> values) {
    Map<String, Integer> last = new HashMap<>();
    for (String v : values) {
      String key = v.substring(0, v.indexOf(':'));
      int seq = Integer.parseInt(v.substring(v.indexOf(':') + 1));
      Integer before = last.put(key, seq);
      assertThat(before == null || before < seq).as("order of key %s: %s after %s", key, seq, before).isTrue();
    }
  }

  @Test
  void a_bounded_job_reads_every_record_exactly_once_in_key_order() throws Exception {
    // Given: 3,000 records of 30 keys written by KinesisSink into a stream of 3 shards
    kinesis.createStream("bounded", 3);
    write("bounded", 0, 3_000, 30);

    // When: a bounded pipeline reads the stream
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("read-bounded", PipelineConfig.builder().threads(2).build());
    KinesisSource<String> src = source("bounded").bounded().build();
    p.from(src).to(out);
    PipelineHandle h = p.start();

    // Then: it ends by itself with each record once, one task per shard, each key in order
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(src.partitions()).isEqualTo(3);
    assertThat(out.values()).hasSize(3_000).doesNotHaveDuplicates();
    Set<Integer> seqs = new TreeSet<>();
    out.values().forEach(v -> seqs.add(Integer.parseInt(v.substring(v.indexOf(':') + 1))));
    assertThat(seqs).hasSize(3_000).first().isEqualTo(0);
    assertOrderPerKey(out.values());
  }

  private static PipelineHandle startCheckpointed(String stream, CollectingSink<String> out, Path dir) {
    Pipeline p = Pipeline.named("resume", PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(50))
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
    p.from(source(stream).build()).to(out);
    return p.start();
  }

  @Test
  void a_restarted_pipeline_resumes_after_the_checkpointed_sequence_numbers(@TempDir Path dir) throws Exception {
    // Given: a pipeline with a checkpoint storage read 1,000 records of 2 shards and was stopped
    kinesis.createStream("resume", 2);
    write("resume", 0, 1_000, 10);
    CollectingSink<String> out1 = Sinks.collecting("out");
    PipelineHandle h1 = startCheckpointed("resume", out1, dir);
    awaitSize(out1, 1_000, Duration.ofSeconds(60));
    Thread.sleep(200);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // When: 1,000 more records arrive and a fresh pipeline starts from the same storage
    write("resume", 1_000, 2_000, 10);
    CollectingSink<String> out2 = Sinks.collecting("out");
    PipelineHandle h2 = startCheckpointed("resume", out2, dir);
    awaitSize(out2, 1_000, Duration.ofSeconds(60));
    Thread.sleep(300); // a replay from the start would show up as more records
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: the first run read the first 1,000, the second exactly the next 1,000
    assertThat(out1.values()).hasSize(1_000).allMatch(v -> Integer.parseInt(v.substring(v.indexOf(':') + 1)) < 1_000);
    assertThat(out2.values()).hasSize(1_000).doesNotHaveDuplicates()
        .allMatch(v -> Integer.parseInt(v.substring(v.indexOf(':') + 1)) >= 1_000);
  }

  @Test
  void a_shard_split_mid_stream_keeps_each_keys_order_and_loses_nothing() throws Exception {
    // Given: a one-shard stream with 1,500 records of 20 keys, read by a running pipeline
    kinesis.createStream("reshard", 1);
    write("reshard", 0, 1_500, 20);
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("reshard", PipelineConfig.builder().threads(2).build());
    KinesisSource<String> src = source("reshard").maxRecordsPerCall(100).build();
    p.from(src).to(out);
    PipelineHandle h = p.start();
    awaitSize(out, 100, Duration.ofSeconds(30));

    // When: the shard is split in the middle of its hash range while records keep coming
    Shard parent = kinesis.client().listShards(b -> b.streamName("reshard")).shards().get(0);
    BigInteger start = new BigInteger(parent.hashKeyRange().startingHashKey());
    BigInteger end = new BigInteger(parent.hashKeyRange().endingHashKey());
    kinesis.client().splitShard(SplitShardRequest.builder().streamName("reshard").shardToSplit(parent.shardId())
        .newStartingHashKey(start.add(end).shiftRight(1).toString()).build());
    kinesis.awaitActive("reshard");
    write("reshard", 1_500, 3_000, 20);
    awaitSize(out, 3_000, Duration.ofSeconds(60));
    Thread.sleep(300);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: three shards exist, the one task read them all, each record once and each key in order
    assertThat(kinesis.shardIds("reshard")).hasSize(3);
    assertThat(src.partitions()).isEqualTo(1);
    assertThat(out.values()).hasSize(3_000).doesNotHaveDuplicates();
    assertOrderPerKey(out.values());
  }

  @Test
  void the_sink_sends_more_than_500_records_in_several_calls_and_refuses_a_record_over_1_mib() throws Exception {
    // Given: a stream and a writer of the sink
    kinesis.createStream("limits", 1);
    SinkWriter<String> writer = sink("limits").createWriter(sinkContext("limits"));
    // When: 1,234 records are written and flushed, then one of 1 MiB + 1 byte with its key
    for (int i = 0; i < 1_234; i++) {
      writer.write("k" + (i % 7) + ":" + i);
    }
    writer.flush();
    String tooLarge = "k:" + "x".repeat(1024 * 1024 - 2);
    // Then: the big one is refused naming its size, and a bounded read finds the 1,234
    assertThatThrownBy(() -> writer.write(tooLarge)).isInstanceOf(ConnectorException.class)
        .hasMessageContaining("1048577 bytes").hasMessageContaining("1048576");
    writer.close();
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("limits-read");
    p.from(source("limits").bounded().build()).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    assertThat(out.values()).hasSize(1_234).doesNotHaveDuplicates();
    assertOrderPerKey(out.values());
  }

  @Test
  void a_missing_stream_fails_the_start_naming_it() {
    Pipeline p = Pipeline.named("missing");
    p.from(source("no-such-stream").build()).to(Sinks.collecting("out"));
    assertThatThrownBy(p::start).isInstanceOf(ConnectorException.class).hasMessageContaining("no-such-stream");
  }
}
