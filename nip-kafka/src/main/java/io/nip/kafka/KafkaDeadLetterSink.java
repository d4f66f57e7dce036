package io.nip.kafka;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.kafka.internal.SharedProducer;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A dead-letter topic: each failed record is written with its original bytes as the value (or, when
 * the source had none, the failing value as JSON) and headers naming the error and the origin:
 * {@code nip.error.class}, {@code nip.error.message}, {@code nip.operator}, {@code nip.source},
 * {@code nip.partition}, {@code nip.offset}, {@code nip.pipeline}. The failed record's own headers
 * ({@link DeadLetter#headers()}, e.g. the line number a loader attached) come first, unchanged.
 *
 * <pre>{@code
 * PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(
 *     KafkaDeadLetterSink.create("user-events-dlq", "localhost:9092"))).build();
 * }</pre>
 */
public final class KafkaDeadLetterSink implements Sink<DeadLetter> {
  private final String topic;
  private final SharedProducer producer;

  private KafkaDeadLetterSink(String topic, Map<String, Object> props) {
    this.topic = topic;
    this.producer = new SharedProducer(topic, props);
  }

  /**
   * @param topic the dead-letter topic
   * @param bootstrapServers the cluster
   * @return the sink
   */
  public static KafkaDeadLetterSink create(String topic, String bootstrapServers) {
    return create(topic, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /**
   * @param topic the dead-letter topic
   * @param producerProperties producer settings, bootstrap servers included
   * @return the sink
   */
  public static KafkaDeadLetterSink create(String topic, Map<String, ?> producerProperties) {
    Objects.requireNonNull(topic, "topic");
    if (!producerProperties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new ConfigurationException("bootstrapServers", "is required");
    }
    return new KafkaDeadLetterSink(topic, new HashMap<>(producerProperties));
  }

  @Override
  public String name() {
    return topic;
  }

  @Override
  public SinkWriter<DeadLetter> createWriter(SinkContext context) {
    return producer.writer(context, this::toRecord);
  }

  private ProducerRecord<byte[], byte[]> toRecord(DeadLetter d) {
    RecordHeaders h = new RecordHeaders();
    for (int i = 0; i < d.headers().size(); i++) {
      h.add(d.headers().name(i), d.headers().value(i));
    }
    header(h, "nip.error.class", d.errorClass());
    header(h, "nip.error.message", d.errorMessage());
    header(h, "nip.operator", d.operator());
    header(h, "nip.source", d.source());
    header(h, "nip.partition", Integer.toString(d.partition()));
    header(h, "nip.offset", Long.toString(d.position()));
    header(h, "nip.pipeline", d.pipeline());
    byte[] value = d.rawRecord() != null ? d.rawRecord()
        : d.value() == null ? null : d.value().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, null, null, value, h);
  }

  private static void header(RecordHeaders h, String key, String value) {
    if (value != null) {
      h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
  }

}
