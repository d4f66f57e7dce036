package io.nip.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.source.SourcePosition;
import io.nip.state.KeyValueStore;
import io.nip.state.MemoryChangelog;
import io.nip.state.StateBackend;
import io.nip.state.StateChangelog;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint coordinator in changelog mode, driven by hand: which local checkpoints it confirms
 * (only those taken, only for parts the changelog wrote) and which source positions go with which
 * task parts (a final position only with the final part).
 */
class ChangelogCheckpointsTest {
  private static final String[] TASKS = {"in-0", "keyed-0-0"};
  private static final StateChangelog.TaskRef[] REFS = {
      new StateChangelog.TaskRef("in-0", 0, 1, 0), new StateChangelog.TaskRef("keyed-0-0", 0, 1, -1)};
  private static final long HOUR = 3_600_000L;

  /** A durable backend in memory that records local checkpoints and their confirmations. */
  static final class RecordingBackend implements StateBackend {
    final List<String> taken = new ArrayList<>();
    final Map<String, Map<String, Long>> confirmed = new LinkedHashMap<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public <K, V> KeyValueStore<K, V> createKeyValueStore(StoreSpec<K, V> spec, StoreScope scope, NipClock clock) {
      return StateBackend.inMemory().createKeyValueStore(spec, scope, clock);
    }

    @Override
    public boolean isDurable() {
      return true;
    }

    @Override
    public synchronized void checkpointLocally(TaskScope task, long checkpointId) {
      taken.add(task.taskId() + "@" + checkpointId);
    }

    @Override
    public synchronized void confirmLocalCheckpoint(TaskScope task, long checkpointId, Map<String, Long> positions) {
      confirmed.put(task.taskId() + "@" + checkpointId, Map.copyOf(positions));
    }
  }

  private static TaskRuntime runtime(String taskId, StateBackend backend) {
    TaskRuntime rt = new TaskRuntime("p", taskId, PipelineConfig.builder().stateBackend(backend).build(), s -> s);
    rt.state().enableChangelog();
    return rt;
  }

  private static KeyValueStore<String, Long> counts(TaskRuntime rt) {
    return rt.state().store("op", StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class)));
  }

  private static Checkpoints coordinator(MemoryChangelog changelog, StateBackend backend) {
    Checkpoints c = new Checkpoints(TASKS, new byte[] {1}, new Checkpoints.Triggers(HOUR, 0, Long.MAX_VALUE), 0,
        null, 0, "p", null);
    c.useChangelog(changelog, REFS, backend,
        new ChangelogRestores("p", new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
    return c;
  }

  private static long request(Checkpoints c, long now) {
    c.requestNow();
    c.maybeTrigger(now);
    return c.requested();
  }

  @Test
  void when_a_task_took_no_local_checkpoint_or_its_part_was_not_written_then_nothing_of_it_is_confirmed() {
    // Given: a source task with a store whose partition another instance owns, and a keyed task
    // that has no store yet (its operator creates it on its first record)
    MemoryChangelog changelog = new MemoryChangelog();
    changelog.owned = p -> false;
    RecordingBackend backend = new RecordingBackend();
    Checkpoints c = coordinator(changelog, backend);
    TaskRuntime source = runtime("in-0", backend);
    TaskRuntime keyed = runtime("keyed-0-0", backend);
    counts(source).put("a", 1L);

    // When: both hand over their parts of checkpoint 1, which commits
    long id = request(c, 1);
    c.ackPart(0, id, c.part(0, source, new byte[] {0}, id, 0), SourcePosition.ofOffset(5));
    c.ackPart(1, id, c.part(1, keyed, new byte[] {1}, id, 0), null);

    // Then: the source task's local checkpoint holds state the changelog did not take, and the
    // keyed task took none: neither is confirmed
    assertThat(c.lastCommitted()).isEqualTo(id);
    assertThat(backend.taken).containsExactly("in-0@1");
    assertThat(backend.confirmed).isEmpty();
  }

  @Test
  void when_a_written_task_took_a_local_checkpoint_then_it_is_confirmed_after_the_commit_with_its_positions() {
    MemoryChangelog changelog = new MemoryChangelog();
    RecordingBackend backend = new RecordingBackend();
    Checkpoints c = coordinator(changelog, backend);
    TaskRuntime source = runtime("in-0", backend);
    TaskRuntime keyed = runtime("keyed-0-0", backend);
    counts(keyed).put("a", 1L);
    counts(keyed).put("b", 2L);

    long id = request(c, 1);
    c.ackPart(0, id, c.part(0, source, new byte[] {0}, id, 0), SourcePosition.ofOffset(5));
    c.ackPart(1, id, c.part(1, keyed, new byte[] {1}, id, 0), null);

    assertThat(backend.taken).containsExactly("keyed-0-0@1");
    assertThat(backend.confirmed).containsExactly(Map.entry("keyed-0-0@1", Map.of("op/counts", 2L)));
  }

  @Test
  void when_a_source_task_ends_after_its_barrier_then_its_final_position_waits_for_its_final_part() {
    // Given: a source task that handed over its part of checkpoint 1 at offset 10, then read to
    // offset 20 and ended, while the keyed task had not handed over its part of checkpoint 1 yet
    MemoryChangelog changelog = new MemoryChangelog();
    Checkpoints c = coordinator(changelog, StateBackend.inMemory());
    TaskRuntime source = runtime("in-0", StateBackend.inMemory());
    TaskRuntime keyed = runtime("keyed-0-0", StateBackend.inMemory());
    long id = request(c, 1);
    counts(source).put("a", 1L);
    c.ackPart(0, id, c.part(0, source, new byte[] {1}, id, 0), SourcePosition.ofOffset(10));
    counts(source).put("a", 2L);
    c.finalPart(0, c.part(0, source, new byte[] {2}, 0, 0), SourcePosition.ofOffset(20));

    // When: the keyed task's part completes checkpoint 1
    c.ackPart(1, id, c.part(1, keyed, new byte[] {3}, id, 0), null);

    // Then: checkpoint 1 commits the state at offset 10 with offset 10, not the final offset
    assertThat(changelog.committed()).isEqualTo(id);
    assertThat(changelog.positions()).containsExactly(Map.entry(0, SourcePosition.ofOffset(10)));
    assertThat(changelog.meta("in-0")).containsExactly(1);

    // When: the final commit fails (the process dies), then succeeds on a second attempt
    c.taskEnded(0);
    c.taskEnded(1);
    changelog.frozen = true;
    assertThatThrownBy(c::completeFinal).isInstanceOf(StateChangelog.CommitFailure.class);
    assertThat(changelog.positions()).containsExactly(Map.entry(0, SourcePosition.ofOffset(10)));
    changelog.frozen = false;
    c.completeFinal();

    // Then: the final part goes with the final position
    assertThat(changelog.positions()).containsExactly(Map.entry(0, SourcePosition.ofOffset(20)));
    assertThat(changelog.meta("in-0")).containsExactly(2);
  }
}
