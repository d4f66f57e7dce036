package io.nip.kafka.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The hand-over point between the fetcher thread and one partition's task: fetched record lists,
 * how many records wait, ownership and positions. Written by the fetcher, read by the reader
 * (volatile fields and concurrent collections; no locks).
 */
final class PartitionBuffer {
  final TopicPartition tp;
  /**
   * Records of one poll, tagged with the assignment epoch they were fetched in: a reader drops lists
   * of an earlier assignment, whose records the committed offset will replay.
   *
   * @param epoch the value of {@link #epoch} when the list was fetched
   * @param records the records, in offset order
   */
  record Fetched(int epoch, List<ConsumerRecord<byte[], byte[]>> records) {}

  final ConcurrentLinkedQueue<Fetched> queue = new ConcurrentLinkedQueue<>();
  final AtomicInteger buffered = new AtomicInteger();
  final AtomicInteger epoch = new AtomicInteger();
  volatile boolean assigned;
  volatile boolean paused;
  /** Bounded mode: the fetcher has fetched every record up to the end offset (fetcher thread only). */
  boolean fetchedToEnd;
  /**
   * Bounded mode: the consumer's position after the last poll, past any transaction markers; every
   * record before it is already in {@link #queue}. -1 until known for the current assignment.
   */
  volatile long fetchedPosition = -1;
  volatile boolean ended;
  /**
   * The group's settled assignment gives this partition to another member (see {@link
   * GroupOwnership}): it does not hold this member's watermark back, and in bounded mode it ends here;
   * cleared at every assignment change here.
   */
  volatile boolean ownedByOther;
  volatile long startPosition = -1;
  /**
   * The offset a reader was created with (a checkpoint's position), waiting for the partition's
   * next assignment to this member; -1 when none. Set by the reader's creator, applied and cleared
   * by the fetcher thread; while it is set the reader reads nothing (the records buffered so far
   * come from the group's committed offset).
   */
  final AtomicLong requestedStart = new AtomicLong(-1);
  volatile long endOffset = Long.MAX_VALUE;
  volatile long pendingCommit = -1;
  volatile long committed = -1;
  /** The id of the changelog commit of the offset, read at the last assignment; {@code NO_COMMIT} if none. */
  volatile long committedCommit = KafkaFetcher.NO_COMMIT;
  volatile long lag = -1;
  /** Wakes a worker for this partition's task when records arrive in an empty buffer; may be null. */
  volatile Runnable onAvailable;

  PartitionBuffer(TopicPartition tp) {
    this.tp = tp;
  }
}
