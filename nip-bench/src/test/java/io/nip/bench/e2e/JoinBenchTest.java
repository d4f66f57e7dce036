package io.nip.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code nip bench join}, tiny: the broker in its own JVM, NIP and Kafka Streams (1 and 2 threads)
 * join the same events with the same profiles. Each side's output holds one result per event, all
 * with the same content (the bench fails otherwise); NIP's join state at the end, and Kafka Streams'
 * table, hold one entry per key. No figure is checked: timing has no place in unit tests.
 */
class JoinBenchTest {

  @Test
  void when_nip_and_kafka_streams_join_the_same_events_with_the_same_profiles_then_every_side_writes_the_same_results()
      throws Exception {
    // Given: 20,000 events of 2,000 users, a profile for each user, one warm-up run of 2,000 events each
    JoinBench.Settings s = new JoinBench.Settings(20_000, 2_000, 1, 2_000, 0, 2,
        new LinkedHashSet<>(JoinBench.CONTENDERS), BenchState.MEMORY);

    // When
    Map<String, Object> m = JoinBench.run(s, new PrintStream(new ByteArrayOutputStream()));

    // Then: one result per event on every side (run() compares the checksums of the outputs)
    assertThat(m.get("output_records")).isEqualTo(20_000L);
    assertThat(m.get("outputs_equal")).isEqualTo(true);
    assertThat(m).containsKeys("nip_eps", "kafka_streams_1_thread_eps", "kafka_streams_2_threads_eps",
        "nip_over_kafka_streams");
    assertThat(m.get("nip_late_events")).isEqualTo(0L);
    // the join keeps, per key, its one profile version once the events have gone
    assertThat(m.get("nip_state_keys")).isEqualTo(2_000L);
    assertThat((Double) m.get("nip_state_bytes_per_key")).isPositive();
    // Kafka Streams' table, read from its changelog, holds the same keys
    assertThat(m.get("kafka_streams_state_keys")).isEqualTo(2_000L);
    assertThat((Double) m.get("kafka_streams_state_bytes_per_key")).isPositive();
    assertThat((List<?>) m.get("per_round")).hasSize(1);
  }
}
