package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import io.nip.sink.TransactionalOutput;
import io.nip.state.MemoryChangelog;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once output written ahead into the transaction that the next commit ends: the records a
 * task hands over after its barrier go into the open transaction at once, and the commit writes only
 * what was not written ahead. Commits that fail drop the transaction, and the parts carry every
 * record again; whatever happens, each result is committed once and in order per key. The memory
 * changelog checks at each commit that the records written ahead are exactly the prefixes the parts
 * declare.
 */
class WriteAheadTest {

  /** A sink that hands every result to the checkpoint's commit. */
  static final class CommittedSink implements Sink<Map.Entry<Long, Long>> {
    @Override
    public String name() {
      return "committed";
    }

    @Override
    public SinkWriter<Map.Entry<Long, Long>> createWriter(SinkContext context) {
      TransactionalOutput out = context.transactionalOutput();
      return new SinkWriter<>() {
        @Override
        public void write(Map.Entry<Long, Long> value) {
          out.add(value, 32);
        }

        @Override
        public void close() {}
      };
    }
  }

  private static PipelineHandle start(CheckpointRestartTest.Numbers numbers, MemoryChangelog changelog) {
    Pipeline p = Pipeline.named("write-ahead", PipelineConfig.builder().threads(2).parallelism(2).batchSize(16)
        .guarantee(Guarantee.EXACTLY_ONCE).commitInterval(Duration.ofMillis(10)).build());
    p.from(new ChangelogRestartTest.WithChangelog<>(numbers, changelog))
        .keyBy(v -> v % 7, Serdes.json(Long.class))
        .process(ChangelogRestartTest.SUMMER, Op.named("summer"))
        .to(new CommittedSink());
    return p.start();
  }

  private static void awaitCommitted(MemoryChangelog changelog, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (changelog.output().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(changelog.output()).as("committed output").hasSizeGreaterThanOrEqualTo(n);
  }

  @Test
  void when_output_is_written_ahead_and_commits_fail_then_a_restart_still_commits_every_result_once_in_order()
      throws InterruptedException {
    // Given: an exactly-once pipeline whose changelog takes output ahead, with every fourth commit failing
    MemoryChangelog changelog = new MemoryChangelog();
    changelog.writesOutput = true;
    changelog.writesAhead = true;
    changelog.failEvery = 4;
    CheckpointRestartTest.Numbers first = new CheckpointRestartTest.Numbers(3);

    // When: it runs over 3 × 3,000 numbers, fed in steps, stops, and a fresh pipeline goes on to 3 × 6,000
    PipelineHandle h1 = start(first, changelog);
    for (int limit = 300; limit <= 3_000; limit += 300) {
      first.limit.set(limit);
      Thread.sleep(15);
    }
    awaitCommitted(changelog, 9_000);
    changelog.failEvery = 0; // the final commit of a stop must pass
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    CheckpointRestartTest.Numbers second = new CheckpointRestartTest.Numbers(3);
    changelog.failEvery = 4;
    PipelineHandle h2 = start(second, changelog);
    for (int limit = 3_300; limit <= 6_000; limit += 300) {
      second.limit.set(limit);
      Thread.sleep(15);
    }
    awaitCommitted(changelog, 18_000);
    changelog.failEvery = 0;
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then: every result was committed once, each key's sums rise, the last ones equal the reference
    List<Object> committed = changelog.output();
    assertThat(committed).hasSize(18_000).doesNotHaveDuplicates();
    Map<Long, Long> last = new HashMap<>();
    for (Object o : committed) {
      @SuppressWarnings("unchecked")
      Map.Entry<Long, Long> e = (Map.Entry<Long, Long>) o;
      Long before = last.put(e.getKey(), e.getValue());
      assertThat(before == null || before < e.getValue()).as("order of key %s: %s then %s", e.getKey(), before,
          e.getValue()).isTrue();
    }
    Map<Long, Long> reference = new HashMap<>();
    for (long v = 1; v <= 18_000; v++) {
      reference.merge(v % 7, v, Long::sum);
    }
    assertThat(last).isEqualTo(reference);
    assertThat(changelog.aheadCommitted()).as("records committed from the open transaction").isPositive();
    assertThat(changelog.aheadDropped()).as("records written ahead into a failed commit's transaction").isPositive();
    assertThat(changelog.failed()).isPositive();
  }
}
