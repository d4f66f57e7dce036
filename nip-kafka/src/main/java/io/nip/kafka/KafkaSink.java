package io.nip.kafka;

import io.nip.errors.ConfigurationException;
import io.nip.kafka.internal.SharedProducer;
import io.nip.serde.Serde;
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

/**
 * Writes records to a Kafka topic through one idempotent producer ({@code acks=all}) shared by every
 * task of the pipeline. {@code flush} waits for every send to be acknowledged and reports the first
 * failure, so source offsets are committed only after the results are in Kafka.
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
  private final SharedProducer producer;

  private KafkaSink(Builder<T> b) {
    this.name = b.name == null ? b.topic : b.name;
    this.topic = b.topic;
    this.serde = b.serde;
    this.keyFn = b.keyFn;
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
    return producer.writer(value -> {
      String key = keyFn == null ? null : keyFn.apply(value);
      return new ProducerRecord<>(topic, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
          serde.serialize(value));
    });
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
    private String name;

    private Builder(String topic, Serde<T> serde) {
      this.topic = topic;
      this.serde = serde;
    }

    /** @param servers "host:port[,host:port]" @return this */
    public Builder<T> bootstrapServers(String servers) {
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers, "servers"));
      return this;
    }

    /** @param keyExtractor the record key (UTF-8); null keys are allowed @return this */
    public Builder<T> key(Function<? super T, String> keyExtractor) {
      this.keyFn = Objects.requireNonNull(keyExtractor, "keyExtractor");
      return this;
    }

    /** @param name the sink's name in the pipeline (default: the topic) @return this */
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

    /** @param properties producer settings to pass through @return this */
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
