package io.nip.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.serde.Serdes;
import io.nip.event.Headers;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.NipClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-over from the fetcher thread to a partition's reader. */
class KafkaReaderHandOverTest {
  static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  static void produce(String topic, int from, int count) {
    try (KafkaProducer<String, String> p = new KafkaProducer<>(new HashMap<>(kafka.producerProperties()))) {
      for (int i = from; i < from + count; i++) {
        p.send(new ProducerRecord<>(topic, 0, "k", "\"v" + i + "\""));
      }
    }
  }

  /** Collects what a reader emits. */
  static final class Collect implements SourceOutput<String> {
    final List<String> values = new ArrayList<>();

    @Override
    public void emit(String value, Object key, Headers headers, byte[] rawBytes, long position,
        long sourceTimestampMillis) {
      values.add(value);
    }

    @Override
    public void emit(String value, Object key, Headers headers, byte[] rawBytes, SourcePosition position,
        long sourceTimestampMillis) {
      throw new AssertionError("kafka positions are offsets, got " + position);
    }

    @Override
    public void fail(byte[] rawBytes, SourcePosition position, Throwable error) {
      throw new AssertionError("unexpected bad record at " + position, error);
    }
  }

  @Test
  void when_records_reach_an_empty_buffer_then_the_reader_callback_runs_and_the_records_are_readable() {
    // Given: a reader of an empty topic, with an availability callback that counts
    kafka.createTopic("hand-over", 1);
    KafkaSource<String> source = KafkaSource.builder("hand-over", Serdes.json(String.class))
        .bootstrapServers(kafka.bootstrapServers()).groupId("hand-over").offsetReset(OffsetReset.EARLIEST).build();
    SourceReader<String> reader = source.createReader(0,
        new SourceContext("hand-over", NipClock.system(), new SimpleMeterRegistry()), SourceReader.NO_POSITION);
    AtomicInteger wakeUps = new AtomicInteger();
    reader.onAvailable(wakeUps::incrementAndGet);
    Collect out = new Collect();
    try {
      // isAssigned() holds before the group settles too: wait until the reader reports its assignment
      await().atMost(Duration.ofSeconds(20)).until(() -> reader.poll(out, 100) == SourceReader.Status.ASSIGNED);
      assertThat(reader.poll(out, 100)).isEqualTo(SourceReader.Status.NOTHING_AVAILABLE);

      // When: records arrive
      produce("hand-over", 0, 10);

      // Then: the fetcher runs the callback once the buffer holds them, and the reader returns all of them
      await().atMost(Duration.ofSeconds(20)).until(() -> wakeUps.get() > 0);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        reader.poll(out, 100);
        return out.values.size() >= 10;
      });
      assertThat(out.values).hasSize(10).startsWith("v0").endsWith("v9");

      // and again after the buffer ran empty
      int before = wakeUps.get();
      produce("hand-over", 10, 5);
      await().atMost(Duration.ofSeconds(20)).until(() -> wakeUps.get() > before);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        reader.poll(out, 100);
        return out.values.size() >= 15;
      });
      assertThat(out.values).hasSize(15).doesNotHaveDuplicates();
    } finally {
      reader.close();
    }
  }
}
