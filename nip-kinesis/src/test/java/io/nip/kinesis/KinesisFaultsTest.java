package io.nip.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConnectorException;
import io.nip.kinesis.internal.PutRecordsWriter;
import io.nip.kinesis.local.KinesisLocal;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;

/**
 * Throttling and per-record failures against the real Kinesis-compatible server (kinesis-mock,
 * started here), with a {@link FaultProxy} between the connectors' clients and the server that
 * refuses every third GetRecords call, or fails chosen records of PutRecords calls the way the
 * service reports a partial failure. The clients speak JSON here (the proxy rewrites PutRecords).
 */
class KinesisFaultsTest {
  private static final String CBOR_PROPERTY = "aws.cborEnabled";
  private static KinesisLocal kinesis;
  private static FaultProxy proxy;
  private static String cborBefore;

  @BeforeAll
  static void start() throws Exception {
    cborBefore = System.setProperty(CBOR_PROPERTY, "false");
    kinesis = KinesisLocal.start();
    proxy = FaultProxy.start(kinesis.endpoint());
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (kinesis != null) {
      kinesis.close();
    }
    if (cborBefore == null) {
      System.clearProperty(CBOR_PROPERTY);
    } else {
      System.setProperty(CBOR_PROPERTY, cborBefore);
    }
  }

  private static KinesisSource.Builder<String> source(String stream, URI endpoint) {
    return KinesisSource.builder(stream, Serdes.string()).region(KinesisLocal.REGION).endpoint(endpoint)
        .credentials(KinesisLocal.CREDENTIALS).idleInterval(Duration.ofMillis(50));
  }

  private static KinesisSink.Builder<String> sink(String stream, URI endpoint) {
    return KinesisSink.builder(stream, Serdes.string()).region(KinesisLocal.REGION).endpoint(endpoint)
        .credentials(KinesisLocal.CREDENTIALS).partitionKey(v -> v.substring(0, v.indexOf(':')));
  }

  private static List<String> values(int n, int keys) {
    return IntStream.range(0, n).mapToObj(i -> "k" + (i % keys) + ":" + i).collect(Collectors.toList());
  }

  private static int number(String value) {
    return Integer.parseInt(value.substring(value.indexOf(':') + 1));
  }

  /** Every record of a stream, read by a bounded KinesisSource straight from the server. */
  private static List<String> readAll(String stream) throws InterruptedException {
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("read-" + stream);
    p.from(source(stream, kinesis.endpoint()).bounded().build()).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    return out.values();
  }

  private static PutRecordsWriter<String> writer(KinesisSink<String> sink) {
    return (PutRecordsWriter<String>) sink.createWriter(KinesisSourceSinkTest.sinkContext("faults"));
  }

  @Test
  void the_sdk_maps_the_proxys_refusal_to_provisioned_throughput_exceeded() throws Exception {
    // Given: a stream and a proxy refusing every GetRecords call
    kinesis.createStream("refused", 1);
    proxy.throttleEvery("GetRecords", 1);
    try (KinesisClient client = KinesisClient.builder().region(Region.of(KinesisLocal.REGION))
        .credentialsProvider(KinesisLocal.CREDENTIALS).endpointOverride(proxy.endpoint())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
      String shard = kinesis.shardIds("refused").get(0);
      String iterator = client.getShardIterator(b -> b.streamName("refused").shardId(shard)
          .shardIteratorType("TRIM_HORIZON")).shardIterator();
      // Then: the SDK raises the modelled exception with the service's error code
      assertThatThrownBy(() -> client.getRecords(b -> b.shardIterator(iterator)))
          .isInstanceOf(ProvisionedThroughputExceededException.class)
          .satisfies(e -> assertThat(((ProvisionedThroughputExceededException) e).awsErrorDetails().errorCode())
              .isEqualTo(FaultProxy.THROTTLED));
    } finally {
      proxy.throttleEvery("GetRecords", 0);
    }
  }

  @Test
  void a_source_throttled_on_every_third_get_records_reads_every_record_once_and_counts_each_refusal()
      throws Exception {
    // Given: 1,500 records of 30 keys in a stream of 3 shards, and a proxy refusing every 3rd GetRecords
    kinesis.createStream("throttled", 3);
    Pipeline writer = Pipeline.named("write-throttled");
    writer.from(Sources.collection("values", values(1_500, 30)))
        .to(sink("throttled", kinesis.endpoint()).build());
    PipelineHandle w = writer.start();
    assertThat(w.awaitTermination(Duration.ofSeconds(60))).isTrue();
    proxy.throttleEvery("GetRecords", 3);
    int injectedBefore = proxy.throttledCalls();

    // When: a bounded pipeline reads the stream through the proxy, 100 records a call
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("read-throttled", PipelineConfig.builder().threads(2).meterRegistry(meters).build());
    p.from(source("throttled", proxy.endpoint()).maxRecordsPerCall(100).bounded().build()).to(out);
    PipelineHandle h = p.start();
    assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
    int injected = proxy.throttledCalls() - injectedBefore;
    int getRecords = proxy.calls("GetRecords");
    proxy.throttleEvery("GetRecords", 0);

    // Then: each record once, each key in order, and every refusal counted once by the source
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(out.values()).hasSize(1_500).doesNotHaveDuplicates();
    TreeSet<Integer> numbers = out.values().stream().map(KinesisFaultsTest::number)
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(numbers).hasSize(1_500).first().isEqualTo(0);
    Map<String, Integer> last = new HashMap<>();
    for (String v : out.values()) {
      Integer before = last.put(v.substring(0, v.indexOf(':')), number(v));
      assertThat(before == null || before < number(v)).as("order of %s after %s", v, before).isTrue();
    }
    double counted = meters.find("nip.kinesis.throttled").tag("source", "throttled").counters().stream()
        .mapToDouble(Counter::count).sum();
    assertThat(injected).isEqualTo(getRecords / 3).isGreaterThan(0);
    assertThat(counted).isEqualTo(injected);
  }

  @Test
  void the_sink_sends_again_the_records_a_put_records_answer_marks_failed() throws Exception {
    // Given: a stream, and a proxy failing every 5th record the first time it sees it
    kinesis.createStream("partial", 2);
    proxy.failRecords((data, attempt) -> attempt == 1 && number(data) % 5 == 0);
    int failedBefore = proxy.failedRecords();
    PutRecordsWriter<String> writer = writer(sink("partial", proxy.endpoint()).build());

    // When: 1,000 records are written through the proxy and flushed
    try {
      for (String v : values(1_000, 20)) {
        writer.write(v);
      }
      writer.flush();
    } finally {
      writer.close();
      proxy.failRecords((data, attempt) -> false);
    }

    // Then: 200 records were failed and sent again, and the stream holds each record exactly once
    assertThat(proxy.failedRecords() - failedBefore).isEqualTo(200);
    assertThat(writer.retried()).isEqualTo(200);
    List<String> stored = readAll("partial");
    assertThat(stored).hasSize(1_000).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(values(1_000, 20));
  }

  @Test
  void a_record_failing_beyond_max_attempts_fails_the_pipeline_naming_the_error_code() throws Exception {
    // Given: a stream, and a proxy failing the record "k3:13" every time
    kinesis.createStream("failing", 1);
    proxy.failRecords((data, attempt) -> data.equals("k3:13"));
    int failedBefore = proxy.failedRecords();

    // When: a pipeline writes 50 records through the proxy with a sink of 3 attempts
    Pipeline p = Pipeline.named("write-failing");
    p.from(Sources.collection("values", values(50, 5)))
        .to(sink("failing", proxy.endpoint()).maxAttempts(3).build());
    PipelineHandle h = p.start();
    try {
      assertThatThrownBy(() -> h.awaitTermination(Duration.ofSeconds(30))).isInstanceOf(ConnectorException.class)
          .hasMessageContaining("1 records to stream 'failing' still failed after 3 attempts");
    } finally {
      proxy.failRecords((data, attempt) -> false);
    }

    // Then: the pipeline failed with a ConnectorException naming the error code and the count,
    // the record was tried 3 times, and the stream holds every other record
    assertThat(h.status()).isEqualTo(PipelineHandle.Status.FAILED);
    assertThat(h.failure()).isPresent();
    Throwable cause = h.failure().get();
    while (!(cause instanceof ConnectorException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertThat(cause).isInstanceOf(ConnectorException.class)
        .hasMessageContaining("1 records to stream 'failing' still failed after 3 attempts")
        .hasMessageContaining(FaultProxy.THROTTLED);
    assertThat(proxy.failedRecords() - failedBefore).isEqualTo(3);
    List<String> expected = values(50, 5);
    expected.remove("k3:13");
    assertThat(readAll("failing")).containsExactlyInAnyOrderElementsOf(expected);
  }
}
