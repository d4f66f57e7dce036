package io.nip.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commit rules around a rebalance, against a scripted consumer commit: a commit that collides
 * with a rebalance is retried after the next poll for the partitions still owned, dropped for those
 * that left in between, and never made for a partition this member does not own.
 */
class OffsetCommitsTest {
  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);

  /** A consumer commit that records what it was asked and fails as scripted. */
  static final class ScriptedCommit implements OffsetCommits.Committer {
    final Deque<RuntimeException> failures = new ArrayDeque<>();
    final List<Map<TopicPartition, Long>> attempts = new ArrayList<>();
    final List<Map<TopicPartition, Long>> done = new ArrayList<>();

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      Map<TopicPartition, Long> plain = new HashMap<>();
      offsets.forEach((tp, o) -> plain.put(tp, o.offset()));
      attempts.add(plain);
      RuntimeException f = failures.poll();
      if (f != null) {
        throw f;
      }
      done.add(plain);
    }
  }

  PartitionBuffer b0;
  PartitionBuffer b1;
  ScriptedCommit consumer;
  Counter deferred;
  Counter dropped;
  OffsetCommits commits;

  @BeforeEach
  void owningTwoPartitions() {
    b0 = owned(P0);
    b1 = owned(P1);
    consumer = new ScriptedCommit();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    deferred = registry.counter("deferred");
    dropped = registry.counter("dropped");
    commits = new OffsetCommits("src", new PartitionBuffer[] {b0, b1}, consumer, deferred, dropped);
  }

  static PartitionBuffer owned(TopicPartition tp) {
    PartitionBuffer b = new PartitionBuffer(tp);
    b.assigned = true;
    b.committed = 0;
    return b;
  }

  static RebalanceInProgressException rebalancing() {
    return new RebalanceInProgressException("Offset commit cannot be completed since the consumer is undergoing "
        + "a rebalance for auto partition assignment.");
  }

  @Test
  void when_a_commit_collides_with_a_rebalance_then_it_is_retried_after_the_next_poll_for_the_owned_partitions() {
    // Given: both partitions ask for a commit, and the consumer is rebalancing
    b0.pendingCommit = 10;
    b1.pendingCommit = 20;
    consumer.failures.add(rebalancing());

    // When: the fetcher commits after a poll, then again after the next one
    boolean first = commits.commitOwned();
    boolean second = commits.commitOwned();

    // Then: the first attempt is deferred and counted, not thrown; the retry commits the same offsets
    assertThat(first).isFalse();
    assertThat(second).isTrue();
    assertThat(deferred.count()).isEqualTo(1);
    assertThat(consumer.done).containsExactly(Map.of(P0, 10L, P1, 20L));
    assertThat(b0.committed).isEqualTo(10);
    assertThat(b1.committed).isEqualTo(20);
    assertThat(commits.hasDeferred()).isFalse();
    assertThat(dropped.count()).isZero();
  }

  @Test
  void when_a_deferred_partition_is_revoked_then_its_commit_is_made_in_the_revocation_and_the_retry_skips_it() {
    // Given: a commit of both partitions deferred by a rebalance
    b0.pendingCommit = 10;
    b1.pendingCommit = 20;
    consumer.failures.add(rebalancing());
    commits.commitOwned();

    // When: the next poll revokes partition 1 (its callback runs while it is still owned) and the retry follows
    commits.commitRevoked(List.of(P1));
    b1.assigned = false;
    commits.commitOwned();

    // Then: partition 1 committed in the callback, partition 0 in the retry, nothing else
    assertThat(consumer.done).containsExactly(Map.of(P1, 20L), Map.of(P0, 10L));
    assertThat(dropped.count()).isZero();
  }

  @Test
  void when_the_revocation_commit_also_collides_then_the_partition_is_dropped_and_never_committed_while_not_owned() {
    // Given: a deferred commit of both partitions
    b0.pendingCommit = 10;
    b1.pendingCommit = 20;
    consumer.failures.add(rebalancing());
    commits.commitOwned();

    // When: the revocation commit of partition 1 fails too, and the fetcher keeps committing afterwards
    consumer.failures.add(new CommitFailedException("the group rebalanced"));
    commits.commitRevoked(List.of(P1));
    b1.assigned = false;
    commits.commitOwned();
    b1.pendingCommit = 30; // a late request of its former task
    commits.commitOwned();

    // Then: partition 1's commit is dropped and counted; only partition 0 is committed afterwards
    assertThat(dropped.count()).isEqualTo(1);
    assertThat(consumer.done).containsExactly(Map.of(P0, 10L));
    assertThat(consumer.attempts).containsExactly(Map.of(P0, 10L, P1, 20L), Map.of(P1, 20L), Map.of(P0, 10L));
    assertThat(b1.committed).isZero();
  }

  @Test
  void when_partitions_are_lost_then_their_pending_commits_are_dropped_without_trying() {
    // Given: a commit of both partitions refused because the group moved on without this member
    b0.pendingCommit = 10;
    b1.pendingCommit = 20;
    consumer.failures.add(new CommitFailedException("kicked out of the group"));
    assertThat(commits.commitOwned()).isFalse();

    // When: the next poll reports both partitions lost
    commits.dropLost(List.of(P0, P1));
    b0.assigned = false;
    b1.assigned = false;
    boolean after = commits.commitOwned();

    // Then: no further attempt, two drops counted, nothing deferred
    assertThat(after).isTrue();
    assertThat(consumer.attempts).hasSize(1);
    assertThat(consumer.done).isEmpty();
    assertThat(dropped.count()).isEqualTo(2);
    assertThat(commits.hasDeferred()).isFalse();
  }

  @Test
  void when_a_partition_is_not_owned_or_its_position_was_committed_then_nothing_is_committed_for_it() {
    // Given: partition 0 asks for what is already committed, partition 1 is owned by another member
    b0.pendingCommit = 0;
    b1.assigned = false;
    b1.pendingCommit = 50;

    // When / Then: no commit call at all
    assertThat(commits.commitOwned()).isTrue();
    assertThat(consumer.attempts).isEmpty();
  }

  @Test
  void when_a_commit_fails_for_another_reason_then_the_error_reaches_the_fetcher() {
    // Given: a commit that times out (not a rebalance)
    b0.pendingCommit = 10;
    consumer.failures.add(new TimeoutException("commit timed out"));

    // When / Then: it is not mistaken for a rebalance
    assertThatThrownBy(commits::commitOwned).isInstanceOf(TimeoutException.class);
    assertThat(deferred.count()).isZero();
  }
}
