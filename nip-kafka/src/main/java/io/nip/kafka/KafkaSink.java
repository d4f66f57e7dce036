package io.nip.kafka;

import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.kafka.internal.SharedProducer;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes records to a Kafka topic through one idempotent producer ({@code acks=all}) shared by every
 * task of the pipeline. {@code flush} waits for every send to be acknowledged and reports the first
 * failure, so source offsets are committed only after the results are in Kafka.
 *
 * <p>The record key is, in order: what the {@link Builder#key key extractor} returns; else the
 * record's own key ({@link SinkContext#currentKey()}: the {@code keyBy} key, or the key the source
 * read) — {@code byte[]} as is, a {@code String} as UTF-8, anything else through
 * {@link Builder#keySerde} (default JSON); else null (the producer spreads such records). The
 * record headers are the record's own ({@link SinkContext#currentHeaders()}), then those the value
 * serde describes its bytes with ({@link Serde#headers}, e.g. {@code content-type}; they replace the
 * record's own of the same names), then those of {@link Builder#extraHeaders}.
 *
 * <pre>{@code
 * KafkaSink<Summary> out = KafkaSink.builder("analytics-output", Serdes.json(Summary.class))
 *     .bootstrapServers("localhost:9092").key(Summary::userId).build();
 * }</pre>
 *
 * @param <T> the value type
 */
public final class KafkaSink<T> implements Sink<T> {
  private final String name;
  private final String topic;
  private final Serde<T> serde;
  private final Function<? super T, String> keyFn;
  private final Serde<Object> keySerde;
  private final Function<? super T, Headers> extraHeaders;
  private final SharedProducer producer;

  private KafkaSink(Builder<T> b) {
    this.name = b.name == null ? b.topic : b.name;
    this.topic = b.topic;
    this.serde = b.serde;
    this.keyFn = b.keyFn;
    this.keySerde = b.keySerde;
    this.extraHeaders = b.extraHeaders;
    this.producer = new SharedProducer(name, b.props);
  }

  /**
   * @param topic the topic to write
   * @param valueSerde turns records into value bytes
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String topic, Serde<T> valueSerde) {
    return new Builder<>(Objects.requireNonNull(topic, "topic"), Objects.requireNonNull(valueSerde, "valueSerde"));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return producer.writer(context, value -> new ProducerRecord<>(topic, null, null, keyBytes(value, context),
        serde.serialize(value), kafkaHeaders(value, context)));
  }

  private byte[] keyBytes(T value, SinkContext context) {
    if (keyFn != null) {
      String key = keyFn.apply(value);
      return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
    Object key = context.currentKey();
    if (key == null || key instanceof byte[]) {
      return (byte[]) key;
    }
    if (key instanceof String && keySerde == null) {
      return ((String) key).getBytes(StandardCharsets.UTF_8);
    }
    try {
      return keySerde != null ? keySerde.serialize(key) : Serdes.objectMapper().writeValueAsBytes(key);
    } catch (Exception e) {
      throw new SerializationException("kafka sink '" + name + "' cannot serialize the key " + key
          + " (set keySerde or a key extractor)", null, e);
    }
  }

  private RecordHeaders kafkaHeaders(T value, SinkContext context) {
    Headers own = context.currentHeaders();
    Headers extra = extraHeaders == null ? Headers.EMPTY : extraHeaders.apply(value);
    Headers format = serde.headers(value);
    if (own.isEmpty() && format.isEmpty() && (extra == null || extra.isEmpty())) {
      return null;
    }
    RecordHeaders out = new RecordHeaders();
    for (int i = 0; i < format.size(); i++) {
      own = own.without(format.name(i)); // the input's content type or schema id does not describe these bytes
    }
    add(out, own);
    add(out, format);
    if (extra != null) {
      add(out, extra);
    }
    return out;
  }

  private static void add(RecordHeaders out, Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      out.add(headers.name(i), headers.value(i));
    }
  }

  /**
   * Settings of a {@link KafkaSink}.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final String topic;
    private final Serde<T> serde;
    private final Map<String, Object> props = new HashMap<>();
    private Function<? super T, String> keyFn;
    private Serde<Object> keySerde;
    private Function<? super T, Headers> extraHeaders;
    private String name;

    private Builder(String topic, Serde<T> serde) {
      this.topic = topic;
      this.serde = serde;
    }

    /**
     * @param servers "host:port[,host:port]"
     * @return this
     */
    public Builder<T> bootstrapServers(String servers) {
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers, "servers"));
      return this;
    }

    /**
     * @param keyExtractor the record key (UTF-8) from the value; null keys are allowed. It replaces
     *     the record's own key.
     * @return this
     */
    public Builder<T> key(Function<? super T, String> keyExtractor) {
      this.keyFn = Objects.requireNonNull(keyExtractor, "keyExtractor");
      return this;
    }

    /**
     * Serializes the record's own key ({@code SinkContext.currentKey()}) when no key extractor is
     * set; {@code byte[]} keys are always written as they are. Default: Strings as UTF-8, other keys
     * as JSON.
     *
     * @param keySerde turns keys into bytes; it must accept the pipeline's key type
     * @return this
     */
    @SuppressWarnings("unchecked")
    public Builder<T> keySerde(Serde<?> keySerde) {
      this.keySerde = (Serde<Object>) Objects.requireNonNull(keySerde, "keySerde");
      return this;
    }

    /**
     * Headers written after the record's own headers, e.g. a constant producer tag.
     *
     * <pre>{@code
     * .extraHeaders(summary -> Headers.of("producer", "analytics".getBytes(UTF_8)))
     * }</pre>
     *
     * @param extra headers per value; may return null or {@link Headers#EMPTY} for none
     * @return this
     */
    public Builder<T> extraHeaders(Function<? super T, Headers> extra) {
      this.extraHeaders = Objects.requireNonNull(extra, "extra");
      return this;
    }

    /**
     * @param name the sink's name in the pipeline (default: the topic)
     * @return this
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Passes a producer setting through (SASL, SSL, batching ...). Values are never logged.
     *
     * @param key a Kafka producer config key
     * @param value its value
     * @return this
     */
    public Builder<T> producerProperty(String key, Object value) {
      props.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @param properties producer settings to pass through
     * @return this
     */
    public Builder<T> producerProperties(Map<String, ?> properties) {
      properties.forEach(this::producerProperty);
      return this;
    }

    /** @return the validated sink */
    public KafkaSink<T> build() {
      if (!props.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new ConfigurationException("bootstrapServers", "is required");
      }
      return new KafkaSink<>(this);
    }
  }
}
