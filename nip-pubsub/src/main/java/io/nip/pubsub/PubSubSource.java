package io.nip.pubsub;

import com.google.api.gax.core.CredentialsProvider;
import com.google.pubsub.v1.ProjectSubscriptionName;
import io.micrometer.core.instrument.Counter;
import io.nip.errors.ConfigurationException;
import io.nip.pubsub.internal.PubSubChannels;
import io.nip.pubsub.internal.PubSubTaskReader;
import io.nip.pubsub.internal.RedeliveryTracker;
import io.nip.serde.Serde;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.time.Duration;
import java.util.Objects;

/**
 * Reads a Google Cloud Pub/Sub subscription with StreamingPull (one stream per task). Messages are acked only once the
 * pipeline checkpoint that covers them completed (their results reached the sinks and were
 * flushed), so a crash makes Pub/Sub deliver them again: at-least-once. While a message waits for
 * its checkpoint its ack deadline is extended (up to {@link Builder#maxAckExtension}).
 *
 * <pre>{@code
 * PubSubSource<UserEvent> events = PubSubSource.builder("my-project", "user-events-sub",
 *     Serdes.json(UserEvent.class)).build();
 * pipeline.from(events).filter(...).to(sink);
 * }</pre>
 *
 * <p>Each message reaches the pipeline with its ordering key as key (null when it has none), its
 * attributes as headers, its data as raw bytes and its publish time as source time (a timestamp the
 * pipeline's watermark strategy takes from the payload wins). Data that does not deserialize goes
 * to the pipeline's error policy and is acked with its checkpoint like any other message.
 *
 * <p><b>Flow control</b> is the pipeline's buffer: a task stops pulling while
 * {@link Builder#maxOutstandingMessages} messages are delivered and not yet acked (queued, in the
 * pipeline, or waiting for their checkpoint). <b>Ordering keys</b>, on a subscription with message
 * ordering, are respected: one key's messages reach the pipeline in publish order.
 * <b>Redeliveries</b> are counted in {@code nip.pubsub.redelivered{pipeline,source}}, acks in
 * {@code nip.pubsub.acked}.
 *
 * <p>Positions are per-reader message numbers; Pub/Sub itself keeps what was acked, so a restart
 * resumes with every message not acked before it.
 *
 * @param <T> the value type
 */
public final class PubSubSource<T> implements Source<T> {
  private final String name;
  private final Serde<T> serde;
  private final String emulatorHost;
  private final CredentialsProvider credentials;
  private final int parallelism;
  private final PubSubTaskReader.Settings settings;
  private RedeliveryTracker redeliveries;

  private PubSubSource(Builder<T> b) {
    String subscription = ProjectSubscriptionName.format(b.project, b.subscription);
    this.name = b.name != null ? b.name : b.subscription;
    this.serde = b.serde;
    this.emulatorHost = b.emulatorHost;
    this.credentials = b.credentials;
    this.parallelism = b.parallelism;
    this.settings = new PubSubTaskReader.Settings(subscription, b.maxOutstandingMessages, b.ackDeadline,
        b.maxAckExtension, b.bounded ? b.boundedIdle : null);
  }

  /**
   * @param project the Google Cloud project id
   * @param subscription the subscription id within the project
   * @param valueSerde turns message data into values
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String project, String subscription, Serde<T> valueSerde) {
    return new Builder<>(Objects.requireNonNull(project, "project"), Objects.requireNonNull(subscription,
        "subscription"), Objects.requireNonNull(valueSerde, "valueSerde"));
  }

  @Override
  public String name() {
    return name;
  }

  /** @return the number of Subscribers (StreamingPull streams) this source runs: {@link Builder#parallelism} */
  @Override
  public int partitions() {
    return parallelism;
  }

  @Override
  public boolean isBounded() {
    return settings.boundedIdle() != null;
  }

  /**
   * Starts one Subscriber.
   *
   * @param partition the task index
   * @param context runtime services
   * @param startPosition the offset a checkpoint recorded (numbering continues there), or NONE
   * @return the reader
   * @throws io.nip.errors.ConnectorException when the subscription cannot be pulled
   */
  @Override
  public SourceReader<T> createReader(int partition, SourceContext context, SourcePosition startPosition) {
    return new PubSubTaskReader<>(name, serde, settings, PubSubChannels.create(emulatorHost, credentials),
        tracker(context), startPosition, context);
  }

  private synchronized RedeliveryTracker tracker(SourceContext context) {
    if (redeliveries == null) {
      redeliveries = new RedeliveryTracker(Counter.builder("nip.pubsub.redelivered")
          .description("messages Pub/Sub delivered again (a nack, an expired ack deadline, a crash)")
          .tag("pipeline", context.pipelineName()).tag("source", name).register(context.meterRegistry()), 100_000);
    }
    return redeliveries;
  }

  /** @return how many redeliveries this source counted so far */
  public long redeliveries() {
    RedeliveryTracker t;
    synchronized (this) {
      t = redeliveries;
    }
    return t == null ? 0 : t.count();
  }

  /**
   * Settings of a {@link PubSubSource}.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final String project;
    private final String subscription;
    private final Serde<T> serde;
    private String name;
    private String emulatorHost;
    private CredentialsProvider credentials;
    private int parallelism = 1;
    private int maxOutstandingMessages = 10_000;
    private Duration maxAckExtension = Duration.ofMinutes(60);
    private Duration ackDeadline = Duration.ofSeconds(60);
    private boolean bounded;
    private Duration boundedIdle = Duration.ofSeconds(2);

    private Builder(String project, String subscription, Serde<T> serde) {
      this.project = project;
      this.subscription = subscription;
      this.serde = serde;
    }

    /**
     * @param name the source's name in the pipeline (default: the subscription id)
     * @return this builder
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
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
     * @param subscribers how many Subscribers (tasks) pull the subscription (default 1)
     * @return this builder
     * @throws ConfigurationException when below 1
     */
    public Builder<T> parallelism(int subscribers) {
      if (subscribers < 1) {
        throw new ConfigurationException("parallelism", "must be at least 1, was " + subscribers);
      }
      this.parallelism = subscribers;
      return this;
    }

    /**
     * @param messages flow control per task: messages delivered and not yet acked (default 10,000)
     * @return this builder
     * @throws ConfigurationException when below 1
     */
    public Builder<T> maxOutstandingMessages(int messages) {
      if (messages < 1) {
        throw new ConfigurationException("maxOutstandingMessages", "must be at least 1, was " + messages);
      }
      this.maxOutstandingMessages = messages;
      return this;
    }

    /**
     * @param deadline the ack deadline of the messages this source holds (10 s to 600 s, default
     *     60 s): renewed every half deadline while a message waits for its checkpoint; after a crash
     *     Pub/Sub delivers the message again once it passed
     * @return this builder
     * @throws ConfigurationException when outside 10 s to 600 s
     */
    public Builder<T> ackDeadline(Duration deadline) {
      if (deadline == null || deadline.toSeconds() < 10 || deadline.toSeconds() > 600) {
        throw new ConfigurationException("ackDeadline", "must be 10 s to 600 s, was " + deadline);
      }
      this.ackDeadline = deadline;
      return this;
    }

    /**
     * @param extension how long a message waiting for its checkpoint keeps its ack deadline extended
     *     (default 60 minutes); past it Pub/Sub may deliver it again
     * @return this builder
     * @throws ConfigurationException when not positive
     */
    public Builder<T> maxAckExtension(Duration extension) {
      if (extension == null || extension.isNegative() || extension.isZero()) {
        throw new ConfigurationException("maxAckExtension", "must be positive, was " + extension);
      }
      this.maxAckExtension = extension;
      return this;
    }

    /**
     * Ends each task once no message arrived for {@code idle}: the pipeline completes by itself after
     * reading what the subscription held.
     *
     * @param idle the quiet time that ends a task (e.g. 2 s)
     * @return this builder
     * @throws ConfigurationException when not positive
     */
    public Builder<T> bounded(Duration idle) {
      if (idle == null || idle.isNegative() || idle.isZero()) {
        throw new ConfigurationException("bounded", "the idle time must be positive, was " + idle);
      }
      this.bounded = true;
      this.boundedIdle = idle;
      return this;
    }

    /** @return the source; no I/O happens until the pipeline starts */
    public PubSubSource<T> build() {
      return new PubSubSource<>(this);
    }
  }
}
