package io.nip.kafka.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.nip.errors.ConnectorException;
import io.nip.serde.Serde;
import io.nip.source.SourceContext;
import io.nip.source.SourceReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one {@link KafkaConsumer} of a source in this process, on its own thread (the consumer
 * is not thread-safe), and feeds one {@link PartitionBuffer} per topic partition that the task
 * readers drain. A buffer holding {@code maxBuffered} records pauses its partition; below half it
 * resumes (the fetcher parks while every partition is paused, until a reader falls below half;
 * polls are 1 ms apart while only some are paused). Records reaching an empty buffer
 * wake a worker through the reader's availability callback. In bounded mode a partition fetched to
 * its end offset is paused for good. Readers ask for commits by position; the fetcher thread
 * commits them for partitions it still owns, and before a partition is revoked ({@link
 * OffsetCommits}: a commit that collides with a rebalance is retried after the next poll, or dropped
 * for a partition that left in between, never fatal). In bounded mode it takes the end offsets at
 * start and marks a partition ended once its records up to there were read here, once the
 * coordinator's description of the settled group gives it to another member ({@link
 * GroupOwnership}), or once the group's committed offset (another member's work) reached the end.
 *
 * <p>Start positions: a reader created at an offset (a checkpoint's position) asks for its
 * partition to start there. The fetcher applies it at the partition's next assignment to this
 * consumer (seeking there instead of looking up the committed offset), or, when the partition is
 * already assigned because the reader was created after the assignment, at the start of the next
 * loop, as a new epoch so that the lists fetched from the committed offset are dropped. Each
 * request is applied once; later assignments start at the committed offset.
 */
public final class KafkaFetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaFetcher.class);
  private static final Duration POLL = Duration.ofMillis(50);
  /**
   * A bounded source's default {@code fetch.max.wait.ms}. The broker holds a fetch of a partition
   * with no new data for up to this long, and closing the consumer waits for that fetch to return;
   * Kafka's default of 500 ms would add half a second to the end of every bounded run.
   */
  static final int BOUNDED_FETCH_MAX_WAIT_MS = 100;
  /**
   * Default {@code heartbeat.interval.ms}: how late a member can learn that its group rebalances;
   * far below a third of the 45 s session timeout, as Kafka's documentation allows "to control the
   * expected time for normal rebalances".
   */
  static final int HEARTBEAT_INTERVAL_MS = 500;
  /**
   * Poll timeout while a partition is paused: a paused partition fetches nothing, so poll would
   * wait out its whole timeout while the task drains the buffer; the short timeout resumes the
   * partition soon after its buffer falls below half.
   */
  private static final Duration POLL_WHILE_PAUSED = Duration.ofMillis(1);
  /**
   * With every owned partition paused there is nothing to fetch: the fetcher parks for at most this
   * long, and a reader whose buffer fell below half (or that asks for a commit) unparks it.
   */
  private static final long PARK_WHILE_ALL_PAUSED_NANOS = 50_000_000L;

  private final String sourceName;
  private final List<TopicPartition> partitions;
  private final Map<TopicPartition, PartitionBuffer> buffers = new HashMap<>();
  private final PartitionBuffer[] byIndex;
  private final boolean bounded;
  private final int maxBuffered;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final OffsetCommits commits;
  /** Which partitions the group gives to other members. */
  private final GroupOwnership ownership;
  private final Thread thread;
  private final AtomicInteger openReaders = new AtomicInteger();
  private volatile boolean closing;
  /** True between a completed assignment and the next revocation; guarded by {@code this}. */
  private boolean stable;
  private volatile boolean closed;
  private final boolean changelog;
  /** The consumer's group metadata after its last poll, for offsets committed in a transaction. */
  private volatile org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata;
  private volatile Throwable failure;
  private long lastEndCheck;

  /**
   * @param sourceName source name (thread name, metrics)
   * @param partitions every partition of the source, in task order
   * @param props consumer settings
   * @param adminProps settings of an admin client of the same cluster, to describe the group
   * @param bounded stop at the end offsets taken now
   * @param maxBuffered records fetched ahead per partition before pausing it
   * @param context pipeline services
   */
  public KafkaFetcher(String sourceName, List<TopicPartition> partitions, Map<String, Object> props,
      Map<String, Object> adminProps, boolean bounded, int maxBuffered, SourceContext context) {
    this(sourceName, partitions, props, adminProps, bounded, maxBuffered, context, false);
  }

  /**
   * @param sourceName source name (thread name, metrics)
   * @param partitions every partition of the source, in task order
   * @param props consumer settings
   * @param adminProps settings of an admin client of the same cluster, to describe the group
   * @param bounded stop at the end offsets taken now
   * @param maxBuffered records fetched ahead per partition before pausing it
   * @param context pipeline services
   * @param changelog offsets commit with a state changelog: each assignment also reads the checkpoint
   *     commit id committed with the partition's offset ({@link #committedCommit})
   */
  public KafkaFetcher(String sourceName, List<TopicPartition> partitions, Map<String, Object> props,
      Map<String, Object> adminProps, boolean bounded, int maxBuffered, SourceContext context, boolean changelog) {
    this.changelog = changelog;
    this.sourceName = sourceName;
    this.partitions = partitions;
    this.bounded = bounded;
    this.maxBuffered = maxBuffered;
    this.byIndex = new PartitionBuffer[partitions.size()];
    for (int i = 0; i < partitions.size(); i++) {
      TopicPartition tp = partitions.get(i);
      PartitionBuffer b = new PartitionBuffer(tp);
      byIndex[i] = b;
      buffers.put(tp, b);
      Gauge.builder("nip.kafka.consumer.lag", b, x -> x.lag < 0 ? Double.NaN : x.lag)
          .description("records between this member's position and the end of the partition")
          .tag("pipeline", context.pipelineName()).tag("source", sourceName)
          .tag("topic", tp.topic()).tag("partition", Integer.toString(tp.partition()))
          .strongReference(true)
          .register(context.meterRegistry());
    }
    Map<String, Object> cfg = new HashMap<>(props);
    cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cfg.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    cfg.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    cfg.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    if (bounded) {
      cfg.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, BOUNDED_FETCH_MAX_WAIT_MS);
    }
    // the classic group protocol's client settings; the consumer protocol (KIP-848) refuses them:
    // there the broker sets heartbeats and assigns partitions
    Object protocol = cfg.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
    if (protocol == null || "classic".equalsIgnoreCase(String.valueOf(protocol).trim())) {
      // a member learns of a rebalance at its next heartbeat: the sources of one pipeline that share
      // a group join one after the other at start, and each join makes those already in wait for
      // that; Kafka's 3 s default held a second source's first records back by up to 3 s
      cfg.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
      cfg.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
    }
    cfg.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, context.pipelineName() + "-" + sourceName);
    this.consumer = new KafkaConsumer<>(cfg);
    this.commits = new OffsetCommits(sourceName, byIndex, consumer::commitSync,
        commitCounter(context, "nip.kafka.commits.deferred",
            "offset commits that collided with a rebalance and were retried after the next poll"),
        commitCounter(context, "nip.kafka.commits.dropped",
            "partition offset commits dropped because the partition left this member before they succeeded"));
    this.ownership = new GroupOwnership(sourceName, String.valueOf(props.get(ConsumerConfig.GROUP_ID_CONFIG)),
        adminProps, byIndex);
    if (bounded) {
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      ends.forEach((tp, end) -> buffers.get(tp).endOffset = end);
    }
    Set<String> topics = new HashSet<>();
    partitions.forEach(tp -> topics.add(tp.topic()));
    consumer.subscribe(topics, new Listener());
    this.thread = new Thread(this::run, "nip-kafka-fetcher-" + sourceName);
    thread.setDaemon(true);
    thread.start();
  }

  private Counter commitCounter(SourceContext context, String name, String description) {
    return Counter.builder(name).description(description)
        .tag("pipeline", context.pipelineName()).tag("source", sourceName)
        .register(context.meterRegistry());
  }

  /**
   * @param index the partition's task index
   * @param serde value serde
   * @param keySerde key serde, or null to pass key bytes through as they are
   * @param tombstones makes the value of a record whose value is null from its key, or null to treat
   *     such records as bad input
   * @param startOffset where the partition starts at its next assignment here, or -1 for the
   *     group's committed offset
   * @param <T> value type
   * @return a reader of that partition
   */
  public <T> SourceReader<T> reader(int index, Serde<T> serde, Serde<?> keySerde,
      java.util.function.Function<Object, ? extends T> tombstones, long startOffset) {
    openReaders.incrementAndGet();
    PartitionBuffer b = byIndex[index];
    if (startOffset >= 0) {
      b.requestedStart.set(startOffset);
      signal();
    }
    return new KafkaPartitionReader<>(this, b, serde, keySerde, tombstones, bounded, startOffset);
  }

  /** @return true once the fetcher has been closed */
  public boolean isClosed() {
    return closing;
  }

  /**
   * A partition is another member's only when the coordinator says so ({@link GroupOwnership}): a
   * settled member may own nothing yet (the consumer protocol's first assignment of a joining
   * member, or between the rounds of a cooperative rebalance) while the partition is nobody's, and
   * such a partition must hold the watermark back (after the idle timeout it stops doing so, as any
   * silent partition does). Otherwise a join's table side whose partitions had not arrived yet let
   * the events through before the table was read.
   *
   * @param b a partition
   * @return true when the assignment here is settled, does not include it, and the group's settled
   *     assignment gives it to another member (it does not hold this member's watermark back)
   */
  synchronized boolean ownedElsewhere(PartitionBuffer b) {
    return stable && !b.assigned && b.ownedByOther;
  }

  /**
   * In bounded mode a member ends the partitions the group gave to other members: they are not
   * its work. Decided only while the assignment here is settled and the coordinator's description
   * of the settled group gives the partition to another member ({@link GroupOwnership}), never in
   * the middle of a rebalance, nor for a partition that nobody owns between two rounds of one.
   *
   * @param b a partition this member does not own right now
   * @return true when this member should end it
   */
  synchronized boolean endedElsewhere(PartitionBuffer b) {
    return stable && !b.assigned && b.ownedByOther;
  }

  void checkHealthy() {
    Throwable f = failure;
    if (f != null) {
      throw new ConnectorException("kafka source '" + sourceName + "' failed: " + f.getMessage(), f);
    }
  }

  /**
   * @return the consumer's group metadata (member id, generation) after its last poll, for offsets
   *     committed by a transactional producer; null before the first poll
   */
  public org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  /** The prefix of the offset metadata a state changelog commits: {@code "nip-commit=<id>"}. */
  public static final String COMMIT_PREFIX = "nip-commit=";
  /** No changelog commit id is known for a partition. */
  public static final long NO_COMMIT = Long.MIN_VALUE;

  private static long commitOf(OffsetAndMetadata committed) {
    if (committed == null || committed.metadata() == null || !committed.metadata().startsWith(COMMIT_PREFIX)) {
      return NO_COMMIT;
    }
    try {
      return Long.parseLong(committed.metadata().substring(COMMIT_PREFIX.length()));
    } catch (NumberFormatException e) {
      return NO_COMMIT;
    }
  }

  /**
   * @param index a partition's task index
   * @return the id of the changelog commit that committed the partition's offset, read when it was
   *     last assigned here, or {@link #NO_COMMIT}
   */
  public long committedCommit(int index) {
    return byIndex[index].committedCommit;
  }

  /** @return true when this member's assignment is settled (no rebalance under way since its last assignment) */
  public synchronized boolean settled() {
    return stable;
  }

  /**
   * Conservative on purpose (for the changelog's one-instance check): any partition not owned here
   * while the assignment is settled counts, including one that nobody owns between two rounds of a
   * cooperative rebalance, not only those the coordinator gives to another member.
   *
   * @return true when the assignment here is settled and leaves at least one partition out
   */
  public synchronized boolean anyOwnedElsewhere() {
    if (!stable) {
      return false;
    }
    for (PartitionBuffer b : byIndex) {
      if (!b.assigned) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param index a partition's task index
   * @return the partition's current assignment epoch here (see {@code SourceReader.assignment()})
   */
  public long assignmentEpoch(int index) {
    return byIndex[index].epoch.get();
  }

  /**
   * @param index a partition's task index
   * @return true while the group assigns that partition to this member
   */
  public boolean owns(int index) {
    return byIndex[index].assigned;
  }

  void readerClosed() {
    if (openReaders.decrementAndGet() == 0) {
      close();
    }
  }

  private void run() {
    try {
      while (!closing) {
        applyRequestedStarts();
        boolean nothingToFetch = allPaused();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(
            nothingToFetch ? Duration.ZERO : anyPaused() ? POLL_WHILE_PAUSED : POLL);
        groupMetadata = consumer.groupMetadata();
        for (TopicPartition tp : records.partitions()) {
          PartitionBuffer b = buffers.get(tp);
          if (b != null && b.assigned) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            b.queue.add(new PartitionBuffer.Fetched(b.epoch.get(), list));
            if (b.buffered.addAndGet(list.size()) <= list.size()) {
              Runnable wake = b.onAvailable;
              if (wake != null) {
                wake.run();
              }
            }
            if (bounded && list.get(list.size() - 1).offset() + 1 >= b.endOffset) {
              b.fetchedToEnd = true;
            }
          }
        }
        if (bounded) {
          trackPositions();
        }
        commits.commitOwned();
        flowControl();
        if (bounded) {
          checkEnds();
        }
        if (settled()) { // a description is of use only to a settled view
          ownership.refresh(consumer.groupMetadata().memberId(), System.nanoTime());
        }
        if (nothingToFetch && records.isEmpty() && !closing && allPaused()) {
          // still nothing to fetch after flow control: wait for a reader to drain below half
          LockSupport.parkNanos(this, PARK_WHILE_ALL_PAUSED_NANOS);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Throwable e) {
      failure = e;
      LOG.error("kafka source '{}' stopped fetching", sourceName, e);
    } finally {
      try {
        try {
          finalCommit();
        } catch (WakeupException e) {
          // close() woke a fetcher that was parked or between polls: that wake-up is spent now
          finalCommit();
        }
      } catch (RuntimeException e) {
        LOG.warn("kafka source '{}' could not commit its final offsets: {}", sourceName, e.toString());
      }
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("kafka source '{}': closing its consumer failed: {}", sourceName, e.toString());
      } finally {
        ownership.close();
        closed = true;
      }
    }
  }

  /**
   * The last commit before the consumer closes. One that collides with a rebalance is not retried
   * here: closing the consumer revokes the partitions it still owns, and the revocation callback
   * commits them; partitions it reports lost instead are dropped ({@link OffsetCommits}).
   */
  private void finalCommit() {
    commits.commitOwned();
  }

  /**
   * Bounded mode: records the consumer's position per partition. A topic written with transactions
   * ends with a commit marker that takes an offset but is never returned as a record, so the last
   * record's offset alone never reaches the end offset; the position moves past the marker.
   */
  private void trackPositions() {
    for (PartitionBuffer b : byIndex) {
      if (!b.assigned || b.fetchedToEnd) {
        continue;
      }
      try {
        long position = consumer.position(b.tp, Duration.ZERO);
        b.fetchedPosition = position;
        if (position >= b.endOffset) {
          b.fetchedToEnd = true;
        }
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // no position yet (the committed offset is still being looked up): next time
      }
    }
  }

  /**
   * Moves partitions that are already assigned here to the start their reader asked for (a reader
   * created after the assignment). Called before poll, so that what poll returns comes from there.
   */
  private void applyRequestedStarts() {
    for (PartitionBuffer b : byIndex) {
      long requested = b.requestedStart.get();
      if (requested >= 0 && b.assigned) {
        consumer.seek(b.tp, requested);
        LOG.debug("kafka source '{}' moves {} to its start position {}", sourceName, b.tp, requested);
        b.fetchedToEnd = false;
        dropBuffered(b);
        startAt(b, requested);
        b.requestedStart.compareAndSet(requested, -1);
      }
    }
  }

  /** A new epoch of an assigned partition that starts at {@code position}. */
  private static void startAt(PartitionBuffer b, long position) {
    b.fetchedPosition = -1;
    b.startPosition = position;
    b.committed = position;
    b.epoch.incrementAndGet();
  }

  /** Empties a partition's buffer (its lists belong to an epoch that is over). */
  private static void dropBuffered(PartitionBuffer b) {
    // take the lists out one by one: a reader that took one concurrently subtracts its own
    PartitionBuffer.Fetched f;
    while ((f = b.queue.poll()) != null) {
      b.buffered.addAndGet(-f.records().size());
    }
  }

  /** @return true when this member owns partitions and every one of them is paused */
  private boolean allPaused() {
    boolean any = false;
    for (PartitionBuffer b : byIndex) {
      if (b.assigned) {
        if (!b.paused) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /**
   * Called by a reader: its paused partition's buffer fell below half, or it asked for a commit.
   * Unparks the fetcher if it waits with every partition paused.
   */
  void signal() {
    LockSupport.unpark(thread);
  }

  /** @return the buffered-record count below which a paused partition resumes */
  int resumeBelow() {
    return maxBuffered / 2;
  }

  private boolean anyPaused() {
    for (PartitionBuffer b : byIndex) {
      if (b.paused && !b.fetchedToEnd) {
        return true;
      }
    }
    return false;
  }

  private void flowControl() {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (PartitionBuffer b : byIndex) {
      if (!b.assigned) {
        continue;
      }
      int n = b.buffered.get();
      if (b.fetchedToEnd) {
        // a bounded partition fetched up to its end offset: nothing more to fetch
        if (!b.paused) {
          b.paused = true;
          pause.add(b.tp);
        }
      } else if (!b.paused && n >= maxBuffered) {
        b.paused = true;
        pause.add(b.tp);
      } else if (b.paused && n < resumeBelow()) {
        b.paused = false;
        resume.add(b.tp);
      }
      OptionalLong lag = consumer.currentLag(b.tp);
      if (lag.isPresent()) {
        b.lag = lag.getAsLong() + n;
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  private void checkEnds() {
    long now = System.nanoTime();
    if (now - lastEndCheck < 500_000_000L) {
      return;
    }
    lastEndCheck = now;
    synchronized (this) {
      if (changelog && !stable) {
        // with state in the changelog, ending a partition fires its restored timers (a bounded run's
        // end of time): a member that has not joined yet would end partitions the group is about to
        // give it, and their results would go with a part it may not write; wait for its assignment
        return;
      }
    }
    Set<TopicPartition> open = new HashSet<>();
    for (PartitionBuffer b : byIndex) {
      if (!b.ended && !b.assigned) {
        open.add(b.tp);
      }
    }
    if (open.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(open);
    committed.forEach((tp, o) -> {
      PartitionBuffer b = buffers.get(tp);
      if (o != null && o.offset() >= b.endOffset) {
        b.ended = true;
      } else if (o == null && b.endOffset == 0) {
        b.ended = true;
      }
    });
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    consumer.wakeup(); // interrupts a poll or a blocking commit/lookup
    LockSupport.unpark(thread); // or a fetcher parked while every partition is paused
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Moves partitions in and out of this member, called by the consumer inside poll. */
  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (!revoked.isEmpty()) {
        LOG.info("kafka source '{}': partitions revoked {}", sourceName, revoked);
      }
      synchronized (KafkaFetcher.this) {
        stable = false;
      }
      ownership.assignmentChanged();
      commits.commitRevoked(revoked);
      release(revoked);
    }

    /** The partitions are gone: their buffers empty and their readers idle until they come back. */
    private void release(Collection<TopicPartition> gone) {
      for (TopicPartition tp : gone) {
        PartitionBuffer b = buffers.get(tp);
        if (b != null) {
          b.assigned = false;
          b.paused = false;
          b.fetchedToEnd = false;
          b.fetchedPosition = -1;
          dropBuffered(b);
          b.lag = -1;
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      // other members may own them already: no commit
      LOG.info("kafka source '{}': partitions lost {}", sourceName, lost);
      synchronized (KafkaFetcher.this) {
        stable = false;
      }
      ownership.assignmentChanged();
      commits.dropLost(lost);
      release(lost);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (!assigned.isEmpty()) {
        LOG.info("kafka source '{}': partitions assigned {}", sourceName, assigned);
      }
      for (TopicPartition tp : assigned) {
        PartitionBuffer b = buffers.get(tp);
        if (b == null) {
          continue;
        }
        long requested = b.requestedStart.get();
        long position;
        if (requested >= 0) {
          // the first assignment after a restore: the checkpoint's position, not the committed offset
          consumer.seek(tp, requested);
          position = requested;
          b.requestedStart.compareAndSet(requested, -1);
          LOG.debug("kafka source '{}' starts {} at its start position {}", sourceName, tp, requested);
        } else {
          position = consumer.position(tp);
        }
        if (changelog) {
          OffsetAndMetadata committed = consumer.committed(java.util.Set.of(tp)).get(tp);
          b.committedCommit = commitOf(committed);
        }
        startAt(b, position);
        b.assigned = true;
      }
      ownership.assignmentChanged();
      synchronized (KafkaFetcher.this) {
        stable = true;
      }
    }
  }
}
