package io.nip.kinesis;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.kinesis.internal.KinesisClients;
import io.nip.kinesis.internal.KinesisTaskReader;
import io.nip.kinesis.internal.ShardLineage;
import io.nip.serde.Serde;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Reads a Kinesis data stream. The pipeline runs one task per shard lineage: per shard the stream
 * lists when the pipeline starts whose parent is no longer listed (for a stream never resharded,
 * one task per shard). When a shard is split or merged, its children are read by the task of their
 * parent, and only after every record of the parent (and, for a merge, of both parents) was
 * emitted, so the records of one partition key stay in order across resharding.
 *
 * <pre>{@code
 * KinesisSource<UserEvent> events = KinesisSource.builder("user-events", Serdes.json(UserEvent.class))
 *     .region("eu-west-1").startingPosition(KinesisStartingPosition.TRIM_HORIZON).build();
 * pipeline.from(events).filter(...).to(sink);
 * }</pre>
 *
 * <p>Each record reaches the pipeline with its partition key as key, its data as raw bytes (for dead
 * letters) and its approximate arrival time as source time (a timestamp the pipeline's watermark
 * strategy extracts from the payload wins). Data that does not deserialize goes to the pipeline's
 * error policy with its bytes and its position {@code shardId:sequenceNumber}.
 *
 * <p><b>Positions.</b> A task's position is, per shard it reads, the sequence number of the last
 * record it emitted; checkpoints store it (Kinesis keeps no consumer positions), and a pipeline
 * restored from a checkpoint resumes each shard {@code AFTER_SEQUENCE_NUMBER}. Shards without a
 * recorded position start at {@link Builder#startingPosition}.
 *
 * <p><b>Throttling and errors.</b> {@code ProvisionedThroughputExceededException} is retried with
 * exponential backoff (100 ms to 5 s) and counted in {@code nip.kinesis.throttled}; other failed
 * calls are retried the same way and counted in {@code nip.kinesis.read.errors}, and a shard that
 * fails {@link Builder#maxConsecutiveFailures} times in a row fails the pipeline with a
 * {@link ConnectorException}. {@code millisBehindLatest} is the gauge
 * {@code nip.kinesis.millis.behind.latest{pipeline,source,partition}}.
 *
 * <p><b>Bounded mode</b> ({@link Builder#bounded()}) ends each task once every shard it reads is
 * caught up (an empty answer with {@code millisBehindLatest} 0) or closed with its children read.
 *
 * <p>Credentials come from the SDK's default provider chain unless {@link Builder#credentials} gives
 * a provider; they are never logged.
 *
 * @param <T> the value type
 */
public final class KinesisSource<T> implements Source<T> {
  private final String name;
  private final String stream;
  private final Serde<T> serde;
  private final String region;
  private final URI endpoint;
  private final AwsCredentialsProvider credentials;
  private final KinesisStartingPosition startingPosition;
  private final boolean bounded;
  private final KinesisTaskReader.Settings settings;
  private final ShardLineage lineage;

  private KinesisSource(Builder<T> b) {
    this.name = b.name != null ? b.name : b.stream;
    this.stream = b.stream;
    this.serde = b.serde;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.credentials = b.credentials;
    this.startingPosition = b.startingPosition;
    this.bounded = b.bounded;
    this.settings = new KinesisTaskReader.Settings(b.maxRecordsPerCall, b.idleInterval.toMillis(), b.queueBatches,
        b.maxConsecutiveFailures);
    this.lineage = new ShardLineage(this::listShards);
  }

  /**
   * @param stream the stream to read
   * @param valueSerde turns record data into values
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String stream, Serde<T> valueSerde) {
    return new Builder<>(Objects.requireNonNull(stream, "stream"), Objects.requireNonNull(valueSerde, "valueSerde"));
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Lists the stream's shards (the first call fixes the tasks).
   *
   * @return the number of shard lineages
   * @throws ConnectorException when the stream cannot be listed (missing, unreachable, no access)
   */
  @Override
  public int partitions() {
    return lineage.tasks();
  }

  @Override
  public boolean isBounded() {
    return bounded;
  }

  /**
   * @param partition the task index
   * @param context runtime services
   * @param startPosition a position this source's reader reported, or NONE to start at
   *     {@link Builder#startingPosition}
   * @return a reader with its own client and fetch thread
   * @throws IllegalArgumentException when {@code startPosition} is not a Kinesis position
   */
  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    return new KinesisTaskReader<>(client(), stream, name, lineage, partition, SourcePosition.orNone(startPosition),
        startingPosition, serde, bounded, settings, context);
  }

  private KinesisClient client() {
    return KinesisClients.create(region, endpoint, credentials);
  }

  private List<Shard> listShards() {
    try (KinesisClient c = client()) {
      List<Shard> out = new ArrayList<>();
      String token = null;
      long backoff = 100;
      do {
        ListShardsRequest req = token == null ? ListShardsRequest.builder().streamName(stream).build()
            : ListShardsRequest.builder().nextToken(token).build();
        ListShardsResponse r;
        try {
          r = c.listShards(req);
        } catch (LimitExceededException e) {
          if (backoff > 5_000) {
            throw e;
          }
          sleep(backoff);
          backoff *= 2;
          continue;
        }
        out.addAll(r.shards());
        token = r.nextToken();
      } while (token != null);
      return out;
    } catch (SdkException e) {
      throw new ConnectorException("kinesis source '" + name + "': cannot list the shards of stream '" + stream
          + "' in " + region + (endpoint != null ? " at " + endpoint : "") + ": " + e.getMessage(), e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException("interrupted while listing shards", e);
    }
  }

  /**
   * Settings of a {@link KinesisSource}; every setting has a default but the stream and serde.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final String stream;
    private final Serde<T> serde;
    private String name;
    private String region = "us-east-1";
    private URI endpoint;
    private AwsCredentialsProvider credentials;
    private KinesisStartingPosition startingPosition = KinesisStartingPosition.TRIM_HORIZON;
    private boolean bounded;
    private int maxRecordsPerCall = 10_000;
    private Duration idleInterval = Duration.ofMillis(200);
    private int queueBatches = 4;
    private int maxConsecutiveFailures = 10;

    private Builder(String stream, Serde<T> serde) {
      this.stream = stream;
      this.serde = serde;
    }

    /**
     * @param name the source's name in the pipeline (default: the stream name)
     * @return this builder
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param region the AWS region, e.g. "eu-west-1" (default "us-east-1")
     * @return this builder
     */
    public Builder<T> region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * @param endpoint an endpoint override, e.g. a local Kinesis-compatible server
     *     {@code http://127.0.0.1:4568} (default: the region's endpoint)
     * @return this builder
     */
    public Builder<T> endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * @param provider where credentials come from (default: the SDK's default provider chain)
     * @return this builder
     */
    public Builder<T> credentials(AwsCredentialsProvider provider) {
      this.credentials = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * @param position where shards without a checkpointed position start (default TRIM_HORIZON)
     * @return this builder
     */
    public Builder<T> startingPosition(KinesisStartingPosition position) {
      this.startingPosition = Objects.requireNonNull(position, "position");
      return this;
    }

    /**
     * Ends each task once its shards are caught up or closed: the pipeline completes by itself.
     *
     * @return this builder
     */
    public Builder<T> bounded() {
      this.bounded = true;
      return this;
    }

    /**
     * @param records the GetRecords limit per call, 1 to 10,000 (default 10,000)
     * @return this builder
     * @throws ConfigurationException when out of range
     */
    public Builder<T> maxRecordsPerCall(int records) {
      if (records < 1 || records > 10_000) {
        throw new ConfigurationException("maxRecordsPerCall", "must be 1 to 10000, was " + records);
      }
      this.maxRecordsPerCall = records;
      return this;
    }

    /**
     * @param interval the wait before asking a shard again after an empty answer (default 200 ms;
     *     AWS allows five GetRecords calls a second per shard)
     * @return this builder
     * @throws ConfigurationException when negative
     */
    public Builder<T> idleInterval(Duration interval) {
      if (interval == null || interval.isNegative()) {
        throw new ConfigurationException("idleInterval", "must be zero or positive, was " + interval);
      }
      this.idleInterval = interval;
      return this;
    }

    /**
     * @param batches how many fetched GetRecords answers may wait for a slow task before its fetch
     *     thread waits (default 4): the reader's buffer
     * @return this builder
     * @throws ConfigurationException when below 1
     */
    public Builder<T> queueBatches(int batches) {
      if (batches < 1) {
        throw new ConfigurationException("queueBatches", "must be at least 1, was " + batches);
      }
      this.queueBatches = batches;
      return this;
    }

    /**
     * @param failures failed calls of one shard in a row before the pipeline fails (default 10)
     * @return this builder
     * @throws ConfigurationException when below 0
     */
    public Builder<T> maxConsecutiveFailures(int failures) {
      if (failures < 0) {
        throw new ConfigurationException("maxConsecutiveFailures", "must be at least 0, was " + failures);
      }
      this.maxConsecutiveFailures = failures;
      return this;
    }

    /** @return the source; no I/O happens until the pipeline starts */
    public KinesisSource<T> build() {
      return new KinesisSource<>(this);
    }
  }
}
