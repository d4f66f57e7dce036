package io.nip.kafka.internal;

import io.micrometer.core.instrument.Counter;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetcher's offset commits, and what it does when one collides with a rebalance of the group.
 *
 * <p>Why: a synchronous commit can meet a rebalance. While this member rejoins, the consumer refuses
 * it with {@link RebalanceInProgressException} (the consumer must poll to finish the rebalance);
 * when the group already moved on without it, with {@link CommitFailedException} (its partitions
 * were given away; the next poll reports them revoked or lost). Neither is a failure of the source:
 * the commit is retried after the next poll for the partitions this member still owns, and dropped
 * for the partitions it lost in between, whose new owner replays from the last committed offset.
 *
 * <p>Rules: a partition's requested position ({@link PartitionBuffer#pendingCommit}) is committed
 * only while the partition is assigned here and only when it is past what was committed. A revoked
 * partition gets its last chance inside the revocation callback, where it is still owned; if that
 * commit fails too it is dropped. A lost partition is no longer owned when the consumer reports it,
 * so its commit is dropped without trying. Drops are logged at debug level and counted in
 * {@code nip.kafka.commits.dropped}; deferrals in {@code nip.kafka.commits.deferred}.
 *
 * <p>Threading: the fetcher thread only (the consumer runs its rebalance callbacks inside poll, on
 * that thread); task threads write {@code pendingCommit}, read here as a volatile field.
 */
final class OffsetCommits {
  private static final Logger LOG = LoggerFactory.getLogger(OffsetCommits.class);

  /** The consumer's synchronous commit. */
  interface Committer {
    void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets);
  }

  private final String sourceName;
  private final PartitionBuffer[] partitions;
  private final Map<TopicPartition, PartitionBuffer> byPartition = new HashMap<>();
  private final Committer committer;
  private final Counter deferredCount;
  private final Counter droppedCount;
  /** Partitions whose last commit collided with a rebalance and waits for a poll. */
  private final Set<TopicPartition> deferred = new HashSet<>();

  OffsetCommits(String sourceName, PartitionBuffer[] partitions, Committer committer, Counter deferredCount,
      Counter droppedCount) {
    this.sourceName = sourceName;
    this.partitions = partitions;
    for (PartitionBuffer b : partitions) {
      byPartition.put(b.tp, b);
    }
    this.committer = committer;
    this.deferredCount = deferredCount;
    this.droppedCount = droppedCount;
  }

  /**
   * Commits the requested positions of the partitions owned here; called after each poll. A commit
   * that collides with a rebalance is left for the next call, after the next poll.
   *
   * @return false when a commit was deferred
   */
  boolean commitOwned() {
    Map<TopicPartition, OffsetAndMetadata> offsets = requested(null);
    if (offsets.isEmpty()) {
      return true;
    }
    try {
      committer.commitSync(offsets);
    } catch (RebalanceInProgressException | CommitFailedException e) {
      deferred.addAll(offsets.keySet());
      deferredCount.increment();
      LOG.debug("kafka source '{}' retries the commit of {} after the next poll: {}", sourceName, offsets, e.toString());
      return false;
    }
    committed(offsets);
    return true;
  }

  /**
   * The last commit of partitions being revoked, from the revocation callback (they are still owned
   * there). A commit that fails is dropped.
   *
   * @param revoked the partitions the consumer is giving up
   */
  void commitRevoked(Collection<TopicPartition> revoked) {
    Map<TopicPartition, OffsetAndMetadata> offsets = requested(revoked);
    if (!offsets.isEmpty()) {
      try {
        committer.commitSync(offsets);
        committed(offsets);
      } catch (RebalanceInProgressException | CommitFailedException e) {
        drop(offsets, e.toString());
      } catch (RuntimeException e) {
        LOG.warn("kafka source '{}' could not commit offsets of revoked partitions {}: {}", sourceName, revoked,
            e.toString());
        drop(offsets, e.toString());
      }
    }
    deferred.removeAll(revoked);
  }

  /**
   * Partitions lost without a revocation (this member left the group's generation): other members
   * may own them already, so their requested commits are dropped without trying.
   *
   * @param lost the partitions the consumer lost
   */
  void dropLost(Collection<TopicPartition> lost) {
    drop(requested(lost), "the partition was lost");
    deferred.removeAll(lost);
  }

  /** @return true when a commit waits for the next poll */
  boolean hasDeferred() {
    return !deferred.isEmpty();
  }

  /** Positions to commit: requested, past the committed one, of partitions owned here (among {@code only}). */
  private Map<TopicPartition, OffsetAndMetadata> requested(Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionBuffer b : partitions) {
      long pos = b.pendingCommit;
      if (pos >= 0 && b.assigned && pos > b.committed && (only == null || only.contains(b.tp))) {
        offsets.put(b.tp, new OffsetAndMetadata(pos));
      }
    }
    return offsets;
  }

  private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, o) -> byPartition.get(tp).committed = o.offset());
    deferred.removeAll(offsets.keySet());
  }

  private void drop(Map<TopicPartition, OffsetAndMetadata> offsets, String why) {
    if (!offsets.isEmpty()) {
      droppedCount.increment(offsets.size());
      LOG.debug("kafka source '{}' dropped the commits {} of partitions leaving this member: {}", sourceName, offsets,
          why);
    }
  }
}
