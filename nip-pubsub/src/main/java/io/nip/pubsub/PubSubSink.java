package io.nip.pubsub;

import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.core.CredentialsProvider;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.protobuf.ByteString;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.pubsub.internal.PubSubChannels;
import io.nip.pubsub.internal.PublisherWriter;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Publishes records to a Google Cloud Pub/Sub topic through the client library's Publisher: messages
 * are batched (up to {@link Builder#maxBatchMessages} a call, or 10 ms), failed publishes are retried
 * by the Publisher and then again by the sink (with backoff, up to {@link Builder#maxAttempts}), and
 * {@code flush} — before the pipeline commits its source positions — returns only once every message
 * written before it was accepted, else it fails and the pipeline replays (at-least-once).
 *
 * <p>With an {@link Builder#orderingKey ordering key} extractor, message ordering is on: messages of
 * one key are published in write order. The record's headers become message attributes (as UTF-8).
 *
 * <pre>{@code
 * PubSubSink<Summary> out = PubSubSink.builder("my-project", "analytics-output", Serdes.json(Summary.class))
 *     .orderingKey(Summary::userId).build();
 * }</pre>
 *
 * @param <T> the value type
 */
public final class PubSubSink<T> implements Sink<T> {
  private final String name;
  private final String topic;
  private final Serde<T> serde;
  private final Function<? super T, String> orderingKey;
  private final String emulatorHost;
  private final CredentialsProvider credentials;
  private final long maxBatchMessages;
  private final int maxAttempts;

  private PubSubSink(Builder<T> b) {
    this.topic = TopicName.format(b.project, b.topic);
    this.name = b.name != null ? b.name : b.topic;
    this.serde = b.serde;
    this.orderingKey = b.orderingKey;
    this.emulatorHost = b.emulatorHost;
    this.credentials = b.credentials;
    this.maxBatchMessages = b.maxBatchMessages;
    this.maxAttempts = b.maxAttempts;
  }

  /**
   * @param project the Google Cloud project id
   * @param topic the topic id within the project
   * @param valueSerde turns values into message data
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String project, String topic, Serde<T> valueSerde) {
    return new Builder<>(Objects.requireNonNull(project, "project"), Objects.requireNonNull(topic, "topic"),
        Objects.requireNonNull(valueSerde, "valueSerde"));
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * @param context the writing task
   * @return a writer with its own Publisher
   * @throws ConnectorException when the Publisher cannot be created
   */
  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    PubSubChannels channels = PubSubChannels.create(emulatorHost, credentials);
    Publisher.Builder b = Publisher.newBuilder(topic)
        .setEnableMessageOrdering(orderingKey != null)
        .setBatchingSettings(BatchingSettings.newBuilder().setElementCountThreshold(maxBatchMessages)
            .setRequestByteThreshold(1_000_000L).setDelayThresholdDuration(Duration.ofMillis(10)).build());
    if (channels.channelProvider() != null) {
      b.setChannelProvider(channels.channelProvider());
    }
    if (channels.credentials() != null) {
      b.setCredentialsProvider(channels.credentials());
    }
    Publisher publisher;
    try {
      publisher = b.build();
    } catch (IOException e) {
      throw new ConnectorException("pubsub sink '" + name + "': cannot create a publisher for " + topic, e);
    }
    return new PublisherWriter<>(publisher, name, value -> message(value, context), maxAttempts, 10_000);
  }

  private PubsubMessage message(T value, SinkContext context) {
    PubsubMessage.Builder m = PubsubMessage.newBuilder().setData(ByteString.copyFrom(serde.serialize(value)));
    if (orderingKey != null) {
      String key = orderingKey.apply(value);
      if (key != null) {
        m.setOrderingKey(key);
      }
    }
    Headers headers = context.currentHeaders();
    for (int i = 0; i < headers.size(); i++) {
      byte[] v = headers.value(i); // an attribute has a value: a header without one is written empty
      m.putAttributes(headers.name(i), v == null ? "" : new String(v, StandardCharsets.UTF_8));
    }
    Headers described = serde.headers(value); // after the record's own, as the Kafka sink does
    for (int i = 0; i < described.size(); i++) {
      m.putAttributes(described.name(i), new String(described.value(i), StandardCharsets.UTF_8));
    }
    return m.build();
  }

  /**
   * Settings of a {@link PubSubSink}.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final String project;
    private final String topic;
    private final Serde<T> serde;
    private String name;
    private Function<? super T, String> orderingKey;
    private String emulatorHost;
    private CredentialsProvider credentials;
    private long maxBatchMessages = 100;
    private int maxAttempts = 5;

    private Builder(String project, String topic, Serde<T> serde) {
      this.project = project;
      this.topic = topic;
      this.serde = serde;
    }

    /**
     * @param name the sink's name in the pipeline (default: the topic id)
     * @return this builder
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param extractor the ordering key of a value (null or empty: none); turns message ordering on
     * @return this builder
     */
    public Builder<T> orderingKey(Function<? super T, String> extractor) {
      this.orderingKey = Objects.requireNonNull(extractor, "extractor");
      return this;
    }

    /**
     * @param hostPort "host:port" of a Pub/Sub emulator, reached over plaintext without credentials
     * @return this builder
     */
    public Builder<T> emulatorHost(String hostPort) {
      this.emulatorHost = Objects.requireNonNull(hostPort, "hostPort");
      return this;
    }

    /**
     * @param provider credentials (default: the client library's Application Default Credentials)
     * @return this builder
     */
    public Builder<T> credentials(CredentialsProvider provider) {
      this.credentials = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * @param messages messages per publish call, 1 to 1,000 (default 100)
     * @return this builder
     * @throws ConfigurationException when out of range
     */
    public Builder<T> maxBatchMessages(int messages) {
      if (messages < 1 || messages > 1_000) {
        throw new ConfigurationException("maxBatchMessages", "must be 1 to 1000, was " + messages);
      }
      this.maxBatchMessages = messages;
      return this;
    }

    /**
     * @param attempts publish attempts per message (each with the Publisher's own retries) before a
     *     flush fails (default 5)
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
    public PubSubSink<T> build() {
      return new PubSubSink<>(this);
    }
  }
}
