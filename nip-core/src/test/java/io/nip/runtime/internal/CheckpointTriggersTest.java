package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.state.CheckpointStorage;
import io.nip.time.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint coordinator's triggers on their own: a record count besides the interval, and a
 * timeout that aborts a checkpoint which not every task acknowledged, after which late
 * acknowledgements of it change nothing and the next checkpoint (a new id) completes.
 */
class CheckpointTriggersTest {
  private static final String[] TASKS = {"in-0", "keyed-0-0"};
  private static final long HOUR = 3_600_000L;

  /** Remembers what was written and completed. */
  static final class RecordingStorage implements CheckpointStorage {
    final Map<String, byte[]> parts = new ConcurrentHashMap<>();
    final List<Long> completedIds = new ArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void write(long checkpointId, String taskId, byte[] snapshot) {
      parts.put(checkpointId + "/" + taskId, snapshot);
    }

    @Override
    public synchronized void complete(long checkpointId) {
      completedIds.add(checkpointId);
    }

    @Override
    public synchronized OptionalLong latestCompleted() {
      return completedIds.isEmpty() ? OptionalLong.empty() : OptionalLong.of(completedIds.get(completedIds.size() - 1));
    }

    @Override
    public byte[] read(long checkpointId, String taskId) {
      return parts.get(checkpointId + "/" + taskId);
    }
  }

  private static Checkpoints coordinator(long everyEvents, long timeoutMillis, CheckpointStorage storage,
      CheckpointMetrics metrics) {
    return new Checkpoints(TASKS, new byte[] {1}, new Checkpoints.Triggers(HOUR, everyEvents, timeoutMillis), 0,
        storage, 0, "p", metrics);
  }

  @Test
  void when_the_record_count_is_reached_then_a_checkpoint_is_requested_whatever_the_interval() {
    // Given a coordinator that checkpoints every 1,000 records (the interval is an hour)
    Checkpoints c = coordinator(1_000, Long.MAX_VALUE, null, null);

    // When 999 records entered, nothing is requested, and a read may take only the 1 record left
    c.entered(999);
    c.maybeTrigger(10);
    assertThat(c.requested()).isZero();
    assertThat(c.pollLimit(512)).isEqualTo(1);

    // When the 1,000th entered
    c.entered(1);
    c.maybeTrigger(20);

    // Then checkpoint 1 is requested and the count starts again
    assertThat(c.requested()).isEqualTo(1);
    assertThat(c.pollLimit(512)).isEqualTo(512);
    c.entered(700);
    assertThat(c.pollLimit(512)).isEqualTo(300);
    // while 1 is in flight, reaching the count requests nothing and never stalls reading
    c.entered(300);
    c.maybeTrigger(30);
    assertThat(c.requested()).isEqualTo(1);
    assertThat(c.pollLimit(512)).isEqualTo(512);
    // once 1 completed, the count already reached requests 2
    c.ack(0, 1);
    c.ack(1, 1);
    assertThat(c.completed()).isEqualTo(1);
    c.maybeTrigger(40);
    assertThat(c.requested()).isEqualTo(2);
  }

  @Test
  void without_a_count_reads_are_never_capped_and_only_the_interval_triggers() {
    Checkpoints c = coordinator(0, Long.MAX_VALUE, null, null);
    c.entered(1_000_000);
    assertThat(c.pollLimit(512)).isEqualTo(512);
    c.maybeTrigger(HOUR - 1);
    assertThat(c.requested()).isZero();
    c.maybeTrigger(HOUR);
    assertThat(c.requested()).isEqualTo(1);
  }

  @Test
  void when_a_checkpoint_is_not_acknowledged_in_time_then_it_is_aborted_and_the_next_one_completes() {
    // Given checkpoint 1 in flight, acknowledged by the source task only
    RecordingStorage storage = new RecordingStorage();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Counter aborted = registry.counter("nip.checkpoints.aborted", "pipeline", "p");
    ManualClock clock = new ManualClock(java.time.Instant.ofEpochMilli(31_000));
    Checkpoints c = coordinator(10, 30_000, storage, new CheckpointMetrics("p", registry, clock));
    c.entered(10);
    c.maybeTrigger(1_000);
    assertThat(c.requested()).isEqualTo(1);
    c.ack(0, 1, null, new byte[] {1});

    // When the timeout has not passed yet, it stays in flight
    c.maybeTrigger(30_999);
    assertThat(c.abortedCount()).isZero();

    // When the timeout passed (and 10 more records entered meanwhile)
    c.entered(10);
    c.maybeTrigger(31_000);

    // Then 1 is aborted, counted, never completed, and 2 is requested at once
    assertThat(c.abortedCount()).isEqualTo(1);
    assertThat(aborted.count()).isEqualTo(1.0);
    assertThat(c.completed()).isZero();
    assertThat(c.requested()).isEqualTo(2);

    // When the slow task finally acknowledges the aborted checkpoint, nothing happens
    c.ack(1, 1, null, new byte[] {2});
    assertThat(c.completed()).isZero();
    assertThat(storage.completedIds).isEmpty();
    assertThat(storage.parts).doesNotContainKey("1/keyed-0-0");

    // When both tasks acknowledge 2 (250 ms after its request), it completes, and only 2 is ever
    // complete in the storage
    clock.advance(java.time.Duration.ofMillis(250));
    c.ack(0, 2, null, new byte[] {3});
    c.ack(1, 2, null, new byte[] {4});
    assertThat(c.completed()).isEqualTo(2);
    assertThat(storage.completedIds).containsExactly(2L);
    assertThat(storage.read(2, "keyed-0-0")).containsExactly(4);
    io.micrometer.core.instrument.Timer duration = registry.get("nip.checkpoints.duration").timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(250.0);
  }

  @Test
  void a_forced_checkpoint_after_an_aborted_one_takes_a_new_id() {
    Checkpoints c = coordinator(0, 5, new RecordingStorage(), null);
    c.requestNow();
    c.maybeTrigger(0);
    c.maybeTrigger(5);
    assertThat(c.abortedCount()).isEqualTo(1);
    c.requestNow();
    c.maybeTrigger(6);
    assertThat(c.requested()).isEqualTo(2);
    c.ack(0, 2);
    c.ack(1, 2);
    assertThat(c.completed()).isEqualTo(2);
  }
}
