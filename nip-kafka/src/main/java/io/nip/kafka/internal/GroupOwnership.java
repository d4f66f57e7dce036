package io.nip.kafka.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several members: which partitions the group's settled assignment gives to another member, whose
 * work they are, so that this member may end them (bounded mode) and they stop holding its
 * watermark back.
 *
 * <p>Why: the member's own view cannot tell. In a cooperative rebalance a joining member first gets
 * an empty assignment while the partitions it will get are taken from their owner, and only a second
 * round gives them to it; between the rounds both members look settled and neither owns those
 * partitions. Ending them there loses their records: the owner has given them up and the newcomer
 * ends them before it receives them. So a partition counts as another member's only when the
 * coordinator's description of the group says so.
 *
 * <p>Invariants: a partition is marked {@link PartitionBuffer#ownedByOther} only from a description
 * of a {@code STABLE} group in which this member's entry lists exactly the partitions it owns (the
 * same generation as the local view), requested after the last local assignment change; every
 * assignment change clears the marks. A partition nobody owns is never marked.
 *
 * <p>Threading: {@link #refresh} and {@link #assignmentChanged} run on the fetcher thread (the latter
 * inside the consumer's rebalance callbacks); the description arrives on the admin client's thread.
 * Both sides take this object's lock; readers see the marks through the volatile field.
 */
final class GroupOwnership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupOwnership.class);
  private static final long REFRESH_NANOS = 200_000_000L;
  private static final long MAX_PAUSE_NANOS = 30_000_000_000L;
  private static final int REQUEST_MILLIS = 5_000;

  private final String sourceName;
  private final String groupId;
  private final Map<String, Object> adminProps;
  private final PartitionBuffer[] partitions;
  private final Map<TopicPartition, PartitionBuffer> byPartition = new HashMap<>();
  private final AtomicBoolean inFlight = new AtomicBoolean();
  private Admin admin;
  private long lastRequest;
  /** Descriptions failed in a row (written on the admin client's thread, or here when a request cannot start). */
  private volatile int failures;
  /** Counts local assignment changes; guarded by {@code this}. */
  private int generation;

  GroupOwnership(String sourceName, String groupId, Map<String, Object> adminProps, PartitionBuffer[] partitions) {
    this.sourceName = sourceName;
    this.groupId = groupId;
    this.adminProps = adminProps;
    this.partitions = partitions;
    for (PartitionBuffer b : partitions) {
      byPartition.put(b.tp, b);
    }
  }

  /**
   * Asks the coordinator for the group's assignment, at most every 200 ms, one request at a time
   * (each given 5 s), and only while a partition is neither owned here, nor ended, nor known to be
   * another member's. Once every partition is decided the admin client is closed (a lone member needs
   * it only until its partitions arrive). A description that cannot be had is retried, each failure
   * in a row doubling the pause up to 30 s; the fifth failure in a row is logged as a warning
   * (meanwhile the undecided partitions hold the watermark back until their idle timeout).
   *
   * @param memberId this consumer's member id
   * @param now {@link System#nanoTime()}
   */
  void refresh(String memberId, long now) {
    if (inFlight.get()) {
      return;
    }
    if (!anyUndecided()) {
      failures = 0;
      close();
      return;
    }
    if (lastRequest != 0 && now - lastRequest < pauseNanos()) {
      return;
    }
    lastRequest = now;
    Set<TopicPartition> ownedHere = new HashSet<>();
    for (PartitionBuffer b : partitions) {
      if (b.assigned) {
        ownedHere.add(b.tp);
      }
    }
    int requestedAt;
    synchronized (this) {
      requestedAt = generation;
    }
    inFlight.set(true);
    try {
      admin().describeConsumerGroups(List.of(groupId), new DescribeConsumerGroupsOptions().timeoutMs(REQUEST_MILLIS))
          .describedGroups().get(groupId).whenComplete((d, e) -> {
        try {
          if (e != null) {
            failed(e);
          } else {
            failures = 0;
            apply(d, memberId, ownedHere, requestedAt);
          }
        } finally {
          inFlight.set(false);
        }
      });
    } catch (RuntimeException e) { // the admin client could not be made or refused the request
      inFlight.set(false);
      failed(e);
    }
  }

  /** @return the pause before the next request: 200 ms, doubled per failure in a row, at most 30 s */
  private long pauseNanos() {
    int n = Math.min(failures, 8);
    return Math.min(REFRESH_NANOS << n, MAX_PAUSE_NANOS);
  }

  private void failed(Throwable e) {
    int n = ++failures;
    if (n == 5) {
      LOG.warn("kafka source '{}' could not describe group '{}' {} times in a row ({}): partitions that another "
          + "member may own hold this member's watermark back until their idle timeout", sourceName, groupId, n,
          e.toString());
    } else {
      LOG.debug("kafka source '{}' could not describe group '{}': {}", sourceName, groupId, e.toString());
    }
  }

  /** The local assignment changed: what was learned about the previous one no longer holds. */
  synchronized void assignmentChanged() {
    generation++;
    for (PartitionBuffer b : partitions) {
      b.ownedByOther = false;
    }
  }

  private synchronized void apply(ConsumerGroupDescription d, String memberId, Set<TopicPartition> ownedHere,
      int requestedAt) {
    if (requestedAt != generation || d.groupState() != GroupState.STABLE) {
      return;
    }
    Map<String, Set<TopicPartition>> byMember = new HashMap<>();
    for (MemberDescription m : d.members()) {
      Set<TopicPartition> ours = new HashSet<>(m.assignment().topicPartitions());
      ours.retainAll(byPartition.keySet());
      byMember.put(m.consumerId(), ours);
    }
    if (!ownedHere.equals(byMember.get(memberId))) {
      return; // the description is of another generation than the local view
    }
    byMember.forEach((member, owned) -> {
      if (!member.equals(memberId)) {
        owned.forEach(tp -> byPartition.get(tp).ownedByOther = true);
      }
    });
  }

  private boolean anyUndecided() {
    for (PartitionBuffer b : partitions) {
      if (!b.assigned && !b.ended && !b.ownedByOther) {
        return true;
      }
    }
    return false;
  }

  private Admin admin() {
    if (admin == null) {
      admin = Admin.create(adminProps);
    }
    return admin;
  }

  @Override
  public void close() {
    Admin a = admin;
    admin = null;
    if (a != null) {
      a.close(Duration.ofSeconds(1));
    }
  }
}
