package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.state.ChangelogProvider;
import io.nip.state.MemoryChangelog;
import io.nip.state.StateChangelog;
import io.nip.state.ValueState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * State that follows a partition (keyed state beside the source) while a consumer group moves the
 * partition away from this instance and back, as Kafka does: a partition that comes back resumes at
 * the position committed with its state, so the state it holds must be the committed one — also
 * when no other instance committed anything meanwhile.
 */
class ChangelogRebalanceTest {
  private static final int PARTITIONS = 2;

  /**
   * Numbers in partitions owned by a simulated consumer group: partition p emits at offset i the
   * value i * PARTITIONS + p + 1 up to {@link #limit}; a partition taken away reads nothing, and one
   * given back reports its assignment, then resumes at the position committed to the changelog.
   */
  static final class GroupNumbers implements Source<Long>, ChangelogProvider {
    final AtomicLong limit = new AtomicLong();
    final AtomicBoolean[] assigned = new AtomicBoolean[PARTITIONS];
    final AtomicInteger[] epochs = new AtomicInteger[PARTITIONS];
    private final MemoryChangelog changelog;

    GroupNumbers(MemoryChangelog changelog) {
      this.changelog = changelog;
      for (int p = 0; p < PARTITIONS; p++) {
        assigned[p] = new AtomicBoolean(true);
        epochs[p] = new AtomicInteger();
      }
      changelog.assignment = p -> epochs[p].get();
    }

    void revoke(int partition) {
      assigned[partition].set(false);
    }

    void assign(int partition) {
      epochs[partition].incrementAndGet();
      assigned[partition].set(true);
    }

    @Override
    public String name() {
      return "group";
    }

    @Override
    public int partitions() {
      return PARTITIONS;
    }

    @Override
    public boolean isBounded() {
      return false;
    }

    @Override
    public StateChangelog stateChangelog(String pipeline) {
      return changelog;
    }

    @Override
    public SourceReader<Long> createReader(int partition, SourceContext context, SourcePosition startPosition) {
      return new SourceReader<>() {
        long next = SourcePosition.offsetOr(startPosition, 0);
        int epoch = epochs[partition].get();

        @Override
        public Status poll(SourceOutput<Long> output, int maxRecords) {
          if (!assigned[partition].get()) {
            return Status.NOTHING_AVAILABLE;
          }
          if (epoch != epochs[partition].get()) {
            epoch = epochs[partition].get();
            next = SourcePosition.offsetOr(changelog.positions().get(partition), 0);
            return Status.ASSIGNED;
          }
          int n = 0;
          while (n < maxRecords && next < limit.get()) {
            output.emit(next * PARTITIONS + partition + 1, null, next, next);
            next++;
            n++;
          }
          return n > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
        }

        @Override
        public boolean isAssigned() {
          return assigned[partition].get();
        }

        @Override
        public long assignment() {
          return epoch;
        }

        @Override
        public SourcePosition position() {
          return SourcePosition.ofOffset(next);
        }

        @Override
        public void close() {}
      };
    }
  }

  /** Per partition and key (value % 5), the running sum: "p:k" → sum. */
  private static Pipeline pipeline(GroupNumbers source, CollectingSink<Map.Entry<String, Long>> out) {
    Pipeline p = Pipeline.named("changelog-rebalance", PipelineConfig.builder().threads(2)
        .batchSize(16).commitInterval(Duration.ofMillis(10)).build());
    p.from(source)
        .keyByPartitioned(v -> (v - 1) % PARTITIONS + ":" + v % 5, Serdes.string())
        .process((KeyedProcessor<String, Long, Map.Entry<String, Long>>) (key, value, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + value);
          ctx.emit(Map.entry(key, sum.value()));
        }, Op.named("summer"))
        .to(out);
    return p;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private static long committedRecords(MemoryChangelog changelog) {
    long sum = 0;
    for (SourcePosition p : changelog.positions().values()) {
      sum += p.offset();
    }
    return sum;
  }

  private static Map<String, Long> reference(long perPartition) {
    Map<String, Long> ref = new HashMap<>();
    for (long v = 1; v <= perPartition * PARTITIONS; v++) {
      ref.merge((v - 1) % PARTITIONS + ":" + v % 5, v, Long::sum);
    }
    return ref;
  }

  private static Map<String, Long> last(List<Map.Entry<String, Long>> outputs) {
    Map<String, Long> last = new HashMap<>();
    outputs.forEach(e -> last.put(e.getKey(), e.getValue()));
    return last;
  }

  @Test
  void when_a_partition_comes_back_that_no_other_instance_committed_then_its_uncommitted_records_count_once()
      throws InterruptedException {
    // Given: 1,000 records per partition read and committed
    MemoryChangelog changelog = new MemoryChangelog();
    GroupNumbers source = new GroupNumbers(changelog);
    CollectingSink<Map.Entry<String, Long>> out = Sinks.collecting("out");
    PipelineHandle h = pipeline(source, out).start();
    source.limit.set(1_000);
    await("first records committed", () -> committedRecords(changelog) == 2_000);

    // and 500 more per partition read, but not committed (the commits fail)
    changelog.frozen = true;
    source.limit.set(1_500);
    await("outputs", () -> out.values().size() == 3_000);

    // When: partition 0 moves away — commits go on meanwhile without it — and comes back, before
    // any other instance committed its state
    source.revoke(0);
    changelog.owned = p -> p != 0;
    changelog.frozen = false;
    await("partition 1 committed", () -> committedRecords(changelog) == 1_000 + 1_500);
    source.assign(0);
    changelog.owned = p -> true;

    // and both partitions read to 2,000
    source.limit.set(2_000);
    await("everything committed", () -> committedRecords(changelog) == 4_000);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: the state counts every record once (partition 0 read 1,000..1,499 again, from its
    // committed position)
    assertThat(last(out.values())).isEqualTo(reference(2_000));
  }

  @Test
  void when_a_partition_comes_back_from_an_instance_that_committed_its_state_then_it_continues_from_there()
      throws InterruptedException {
    // Given: 1,000 records per partition read and committed here
    MemoryChangelog changelog = new MemoryChangelog();
    GroupNumbers source = new GroupNumbers(changelog);
    CollectingSink<Map.Entry<String, Long>> out = Sinks.collecting("out");
    PipelineHandle h = pipeline(source, out).start();
    source.limit.set(1_000);
    await("first records committed", () -> committedRecords(changelog) == 2_000);

    // When: partition 0 moves to another instance, which reads it to 1,500 and commits its state
    source.revoke(0);
    changelog.owned = p -> p != 0;
    List<StateChangelog.Change> changes = new java.util.ArrayList<>();
    Map<String, Long> elsewhere = new HashMap<>();
    for (long v = 1; v <= 1_500 * PARTITIONS; v++) {
      if ((v - 1) % PARTITIONS == 0) {
        elsewhere.merge("0:" + v % 5, v, Long::sum);
      }
    }
    elsewhere.forEach((k, sum) -> changes.add(new StateChangelog.Change("summer/sum", Serdes.string().serialize(k),
        Serdes.json(Long.class).serialize(sum), Long.MAX_VALUE)));
    changelog.commitElsewhere(new StateChangelog.TaskPart(new StateChangelog.TaskRef("group-0", 0, PARTITIONS, 0),
        List.of("summer/sum"), changelog.meta("group-0").clone(), changes, 0), SourcePosition.ofOffset(1_500));

    // and comes back here; both partitions read to 2,000
    source.assign(0);
    changelog.owned = p -> true;
    source.limit.set(2_000);
    await("everything committed", () -> committedRecords(changelog) == 4_000);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: partition 0 continued from the other instance's state and position
    assertThat(last(out.values())).isEqualTo(reference(2_000));
    assertThat(out.values().stream().filter(e -> e.getKey().startsWith("0:")).count()).isEqualTo(1_000 + 500);
  }
}
