package io.nip.kinesis;

import io.nip.errors.ConfigurationException;
import io.nip.kinesis.internal.KinesisClients;
import io.nip.kinesis.internal.PutRecordsWriter;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.net.URI;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Writes records to a Kinesis data stream with batched {@code PutRecords} calls: up to 500 records
 * and 5 MiB a call, each record at most 1 MiB (data plus partition key). Records that a call reports
 * as failed are sent again with backoff; {@code flush} (before the pipeline commits its source
 * positions) returns only once every record written before it is in the stream, else it fails and
 * the pipeline replays (at-least-once). A record over 1 MiB is refused with a
 * {@link io.nip.errors.ConnectorException} naming its size, handled by the pipeline's error policy.
 *
 * <p>The partition key is, in order: what the {@link Builder#partitionKey extractor} returns; else
 * the record's own key ({@link SinkContext#currentKey()}: a {@code String} as is, {@code byte[]} in
 * Base64, anything else by {@code toString}); else a counter per task (records spread over the shards).
 *
 * <pre>{@code
 * KinesisSink<Summary> out = KinesisSink.builder("analytics-output", Serdes.json(Summary.class))
 *     .region("eu-west-1").partitionKey(Summary::userId).build();
 * }</pre>
 *
 * @param <T> the value type
 */
public final class KinesisSink<T> implements Sink<T> {
  private final String name;
  private final String stream;
  private final Serde<T> serde;
  private final Function<? super T, String> partitionKey;
  private final String region;
  private final URI endpoint;
  private final AwsCredentialsProvider credentials;
  private final int maxRecordsPerCall;
  private final int maxAttempts;

  private KinesisSink(Builder<T> b) {
    this.name = b.name != null ? b.name : b.stream;
    this.stream = b.stream;
    this.serde = b.serde;
    this.partitionKey = b.partitionKey;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.credentials = b.credentials;
    this.maxRecordsPerCall = b.maxRecordsPerCall;
    this.maxAttempts = b.maxAttempts;
  }

  /**
   * @param stream the stream to write
   * @param valueSerde turns values into record data
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

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    long[] counter = {0};
    Function<? super T, String> key = partitionKey != null ? partitionKey : value -> {
      Object k = context.currentKey();
      if (k instanceof String) {
        return (String) k;
      }
      if (k instanceof byte[]) {
        return Base64.getEncoder().encodeToString((byte[]) k);
      }
      return k != null ? k.toString() : Long.toString(counter[0]++);
    };
    return new PutRecordsWriter<>(KinesisClients.create(region, endpoint, credentials), stream, name, serde, key,
        maxRecordsPerCall, maxAttempts);
  }

  /**
   * Settings of a {@link KinesisSink}.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final String stream;
    private final Serde<T> serde;
    private String name;
    private Function<? super T, String> partitionKey;
    private String region = "us-east-1";
    private URI endpoint;
    private AwsCredentialsProvider credentials;
    private int maxRecordsPerCall = PutRecordsWriter.MAX_RECORDS_PER_CALL;
    private int maxAttempts = 10;

    private Builder(String stream, Serde<T> serde) {
      this.stream = stream;
      this.serde = serde;
    }

    /**
     * @param name the sink's name in the pipeline (default: the stream name)
     * @return this builder
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param extractor the partition key of a value, 1 to 256 characters
     * @return this builder
     */
    public Builder<T> partitionKey(Function<? super T, String> extractor) {
      this.partitionKey = Objects.requireNonNull(extractor, "extractor");
      return this;
    }

    /**
     * @param region the AWS region (default "us-east-1")
     * @return this builder
     */
    public Builder<T> region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * @param endpoint an endpoint override, e.g. {@code http://127.0.0.1:4568}
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
     * @param records records per PutRecords call, 1 to 500 (default 500)
     * @return this builder
     * @throws ConfigurationException when out of range
     */
    public Builder<T> maxRecordsPerCall(int records) {
      if (records < 1 || records > PutRecordsWriter.MAX_RECORDS_PER_CALL) {
        throw new ConfigurationException("maxRecordsPerCall", "must be 1 to 500, was " + records);
      }
      this.maxRecordsPerCall = records;
      return this;
    }

    /**
     * @param attempts attempts per record before a flush fails (default 10)
     * @return this builder
     * @throws ConfigurationException when below 1
     */
    public Builder<T> maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new ConfigurationException("maxAttempts", "must be at least 1, was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** @return the sink; no I/O happens until a writer is created */
    public KinesisSink<T> build() {
      return new KinesisSink<>(this);
    }
  }
}
