package io.nip.kinesis.internal;

/*
 * Reads the shards of one task (one lineage root and the children resharding gives it).
 *
 * Why a fetch thread: GetRecords is a network call that may take tens of milliseconds and must be
 * paced (at most five calls a second per shard on AWS), while SourceReader.poll must not block. The
 * fetch thread calls GetRecords per shard and hands whole batches to a bounded queue; when the
 * pipeline falls behind the queue fills and the fetch thread waits (backpressure: memory stays
 * bounded by queueBatches x maxRecordsPerCall records).
 *
 * Order and resharding: a shard's batches, then its End marker, then the batches of its children
 * go through the one FIFO queue, so a split's children are emitted after every record of their
 * parent. A merge child waits on the fetch side until both parents ended: a parent of this task
 * when it is neither a cursor nor below one, a parent of another task when that task emitted its
 * last record (ShardLineage.finished).
 *
 * Positions: the task thread keeps a ShardFrontier of what it emitted (updated per batch chunk and
 * at each End marker); position() encodes it, and a reader created with it resumes each shard
 * AFTER_SEQUENCE_NUMBER of its last emitted record.
 *
 * Errors: throttling (ProvisionedThroughputExceeded, LimitExceeded) is retried with exponential
 * backoff per shard and counted; an expired iterator is renewed after the last fetched record; other
 * SDK errors are retried with backoff and counted, and after maxConsecutiveFailures in a row the
 * reader fails: the next poll throws a ConnectorException naming stream, shard and cause. A missing
 * stream fails at once.
 *
 * Threading: cursors, client calls and endedHere belong to the fetch thread; frontier, current and
 * done to the task thread; the queue, failure and millisBehindLatest cross between them.
 */

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.nip.errors.ConnectorException;
import io.nip.event.Headers;
import io.nip.kinesis.KinesisStartingPosition;
import io.nip.serde.Serde;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The reader of one Kinesis task.
 *
 * @param <T> the value type
 */
public final class KinesisTaskReader<T> implements SourceReader<T> {
  private static final Logger LOG = LoggerFactory.getLogger(KinesisTaskReader.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  /**
   * Tuning of a reader.
   *
   * @param maxRecordsPerCall GetRecords limit, 1 to 10,000
   * @param idleIntervalMillis wait before asking a shard again after an empty answer
   * @param queueBatches how many fetched batches may wait for the task
   * @param maxConsecutiveFailures failures of one shard in a row before the reader fails
   */
  public record Settings(int maxRecordsPerCall, long idleIntervalMillis, int queueBatches, int maxConsecutiveFailures) {}

  private interface Item {}

  private record Batch(String shardId, List<Record> records) implements Item {}

  private record End(String shardId, List<String> ownChildren) implements Item {}

  private record Done() implements Item {}

  /** Fetch-side state of one shard. */
  private static final class Cursor {
    final String shardId;
    final String startValue;
    String iterator;
    String lastFetched;
    long dueAt;
    long backoffMs;
    int failures;
    boolean caughtUp;
    long millisBehind;

    Cursor(String shardId, String startValue) {
      this.shardId = shardId;
      this.startValue = startValue;
    }
  }

  private final KinesisClient client;
  private final String stream;
  private final String sourceName;
  private final ShardLineage lineage;
  private final int task;
  private final KinesisStartingPosition startingPosition;
  private final Serde<T> serde;
  private final boolean bounded;
  private final Settings settings;
  private final Counter throttled;
  private final Counter errors;
  private final BlockingQueue<Item> queue;
  private final List<Cursor> cursors = new ArrayList<>();
  private final ShardFrontier frontier;
  private final Thread fetcher;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private volatile Runnable listener;
  private volatile long millisBehindLatest = -1;
  private Item current;
  private int index;
  private boolean done;

  /**
   * @param client the task's client, closed with the reader
   * @param stream the stream name
   * @param sourceName the source's name, for metrics and messages
   * @param lineage the stream's shards
   * @param task this task's index
   * @param start the checkpointed position, or NONE
   * @param startingPosition where shards without a recorded position start
   * @param serde turns record data into values
   * @param bounded whether the task ends once each of its shards is caught up or closed
   * @param settings tuning
   * @param context the runtime's services (metrics)
   */
  public KinesisTaskReader(KinesisClient client, String stream, String sourceName, ShardLineage lineage, int task,
      SourcePosition start, KinesisStartingPosition startingPosition, Serde<T> serde, boolean bounded,
      Settings settings, SourceContext context) {
    this.client = client;
    this.stream = stream;
    this.sourceName = sourceName;
    this.lineage = lineage;
    this.task = task;
    this.startingPosition = startingPosition;
    this.serde = serde;
    this.bounded = bounded;
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(settings.queueBatches());
    this.frontier = ShardFrontier.of(start);
    if (frontier.shards().isEmpty()) {
      String root = lineage.root(task);
      if (startingPosition.type() == KinesisStartingPosition.Type.LATEST) {
        for (String open : lineage.openDescendants(root, task)) {
          frontier.put(open, ShardFrontier.FROM_START_POSITION);
        }
      } else {
        frontier.put(root, ShardFrontier.FROM_START_POSITION);
      }
    }
    for (Map.Entry<String, String> e : frontier.shards().entrySet()) {
      if (ShardFrontier.SHARD_END.equals(e.getValue())) {
        lineage.markFinished(e.getKey());
      } else {
        cursors.add(new Cursor(e.getKey(), e.getValue()));
      }
    }
    String partition = Integer.toString(task);
    this.throttled = Counter.builder("nip.kinesis.throttled")
        .description("GetRecords and GetShardIterator calls refused for throughput, retried with backoff")
        .tag("pipeline", context.pipelineName()).tag("source", sourceName).tag("partition", partition)
        .register(context.meterRegistry());
    this.errors = Counter.builder("nip.kinesis.read.errors")
        .description("failed Kinesis read calls, retried with backoff")
        .tag("pipeline", context.pipelineName()).tag("source", sourceName).tag("partition", partition)
        .register(context.meterRegistry());
    Gauge.builder("nip.kinesis.millis.behind.latest", this, r -> r.millisBehindLatest < 0 ? Double.NaN
            : r.millisBehindLatest)
        .description("how far this task's slowest shard is behind the tip of the stream, milliseconds")
        .tag("pipeline", context.pipelineName()).tag("source", sourceName).tag("partition", partition)
        .strongReference(true).register(context.meterRegistry());
    this.fetcher = new Thread(this::fetchLoop, "nip-kinesis-" + sourceName + "-" + task);
    fetcher.setDaemon(true);
    fetcher.start();
  }

  @Override
  public void onAvailable(Runnable listener) {
    this.listener = listener;
  }

  @Override
  public Status poll(SourceOutput<T> output, int maxRecords) {
    Throwable f = failure;
    if (f != null) {
      throw f instanceof ConnectorException ? (ConnectorException) f
          : new ConnectorException("kinesis source '" + sourceName + "' (stream '" + stream + "', task " + task
              + ") failed: " + f, f);
    }
    if (done) {
      return Status.END_OF_INPUT;
    }
    int n = 0;
    while (n < maxRecords) {
      if (current == null) {
        current = queue.poll();
        index = 0;
        if (current == null) {
          break;
        }
      }
      if (current instanceof Batch) {
        n += emit((Batch) current, output, maxRecords - n);
      } else if (current instanceof End) {
        End e = (End) current;
        if (e.ownChildren().isEmpty()) {
          frontier.put(e.shardId(), ShardFrontier.SHARD_END);
        } else {
          frontier.remove(e.shardId());
          for (String child : e.ownChildren()) {
            frontier.put(child, ShardFrontier.FROM_SHARD_START);
          }
        }
        lineage.markFinished(e.shardId());
        current = null;
      } else {
        done = true;
        current = null;
        return n > 0 ? Status.MORE_AVAILABLE : Status.END_OF_INPUT;
      }
    }
    return n > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
  }

  private int emit(Batch b, SourceOutput<T> output, int max) {
    List<Record> records = b.records();
    int end = Math.min(records.size(), index + max);
    String prefix = b.shardId() + ':';
    for (int i = index; i < end; i++) {
      Record r = records.get(i);
      byte[] data = r.data().asByteArrayUnsafe();
      SourcePosition pos = SourcePosition.ofString(prefix + r.sequenceNumber());
      T value;
      try {
        value = serde.deserialize(data);
      } catch (RuntimeException e) {
        output.fail(data, pos, e);
        continue;
      }
      long ts = r.approximateArrivalTimestamp() == null ? SourceOutput.NO_TIMESTAMP
          : r.approximateArrivalTimestamp().toEpochMilli();
      output.emit(value, r.partitionKey(), Headers.EMPTY, data, pos, ts);
    }
    int n = end - index;
    if (n > 0) {
      frontier.put(b.shardId(), records.get(end - 1).sequenceNumber());
    }
    index = end;
    if (index >= records.size()) {
      current = null;
    }
    return n;
  }

  @Override
  public SourcePosition position() {
    return frontier.toPosition();
  }

  @Override
  public void close() {
    running = false;
    fetcher.interrupt();
    try {
      fetcher.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }

  // ---- fetch thread ----

  private void fetchLoop() {
    try {
      while (running) {
        long now = nowMillis();
        long nextDue = now + settings.idleIntervalMillis();
        boolean allCaughtUp = true;
        boolean fetched = false;
        long behind = -1;
        for (Cursor c : new ArrayList<>(cursors)) {
          if (bounded && c.caughtUp) {
            continue;
          }
          if (!parentsDone(c)) {
            allCaughtUp = false;
            nextDue = Math.min(nextDue, now + 20);
            continue;
          }
          if (c.dueAt > now) {
            allCaughtUp &= c.caughtUp;
            nextDue = Math.min(nextDue, c.dueAt);
            continue;
          }
          fetch(c);
          fetched = true;
          if (cursors.contains(c)) {
            allCaughtUp &= c.caughtUp;
            behind = Math.max(behind, c.millisBehind);
          } else {
            allCaughtUp = false; // a shard ended: its children come next
          }
        }
        if (fetched) {
          millisBehindLatest = behind;
        }
        if (bounded && allCaughtUp) {
          put(new Done());
          return;
        }
        if (!fetched) {
          long sleep = nextDue - nowMillis();
          if (sleep > 0) {
            Thread.sleep(sleep);
          }
        }
      }
    } catch (InterruptedException e) {
      // closing
    } catch (Throwable t) {
      if (running) {
        failure = t;
        Runnable l = listener;
        if (l != null) {
          l.run();
        }
      }
    }
  }

  /** A merge child is read once both of its parents ended; a split child once its parent did (FIFO). */
  private boolean parentsDone(Cursor c) {
    ShardLineage.ShardInfo s = lineage.shard(c.shardId);
    if (s == null) {
      return true;
    }
    return parentDone(s.parent()) && parentDone(s.adjacentParent());
  }

  private boolean parentDone(String parent) {
    if (parent == null || lineage.shard(parent) == null) {
      return true;
    }
    if (lineage.taskOf(parent) != task) {
      return lineage.isFinished(parent);
    }
    for (String id = parent; id != null; ) { // done unless it or an ancestor is still being read here
      for (Cursor c : cursors) {
        if (c.shardId.equals(id)) {
          return false;
        }
      }
      ShardLineage.ShardInfo info = lineage.shard(id);
      id = info == null ? null : info.parent();
    }
    return true;
  }

  private void fetch(Cursor c) throws InterruptedException {
    GetRecordsResponse r;
    try {
      if (c.iterator == null) {
        c.iterator = iterator(c);
      }
      r = client.getRecords(GetRecordsRequest.builder().shardIterator(c.iterator)
          .limit(settings.maxRecordsPerCall()).build());
    } catch (ProvisionedThroughputExceededException | LimitExceededException e) {
      throttled.increment();
      backoff(c);
      return;
    } catch (ExpiredIteratorException e) {
      c.iterator = null;
      return;
    } catch (ResourceNotFoundException e) {
      throw new ConnectorException("kinesis source '" + sourceName + "': stream '" + stream + "' or shard '"
          + c.shardId + "' not found: " + e.getMessage(), e);
    } catch (SdkException e) {
      if (!running) {
        throw new InterruptedException("closing");
      }
      errors.increment();
      if (++c.failures > settings.maxConsecutiveFailures()) {
        throw new ConnectorException("kinesis source '" + sourceName + "': reading shard '" + c.shardId
            + "' of stream '" + stream + "' failed " + c.failures + " times in a row: " + e.getMessage(), e);
      }
      LOG.warn("kinesis source '{}': reading shard '{}' failed ({} in a row), retrying: {}", sourceName, c.shardId,
          c.failures, e.toString());
      backoff(c);
      return;
    }
    c.failures = 0;
    c.backoffMs = 0;
    List<Record> records = r.records();
    if (!records.isEmpty()) {
      put(new Batch(c.shardId, records));
      c.lastFetched = records.get(records.size() - 1).sequenceNumber();
    }
    c.millisBehind = r.millisBehindLatest() == null ? 0 : r.millisBehindLatest();
    c.iterator = r.nextShardIterator();
    if (c.iterator == null) {
      shardEnded(c);
      return;
    }
    c.caughtUp = records.isEmpty() && c.millisBehind == 0;
    c.dueAt = records.isEmpty() ? nowMillis() + settings.idleIntervalMillis() : 0;
  }

  private void shardEnded(Cursor c) throws InterruptedException {
    cursors.remove(c);
    List<String> own = new ArrayList<>();
    for (ShardLineage.ShardInfo child : lineage.childrenOf(c.shardId)) {
      if (lineage.taskOf(child.id()) == task) {
        own.add(child.id());
        boolean known = false;
        for (Cursor other : cursors) {
          known |= other.shardId.equals(child.id());
        }
        if (!known) {
          cursors.add(new Cursor(child.id(), ShardFrontier.FROM_SHARD_START));
        }
      }
    }
    put(new End(c.shardId, own));
  }

  private String iterator(Cursor c) {
    GetShardIteratorRequest.Builder b = GetShardIteratorRequest.builder().streamName(stream).shardId(c.shardId);
    if (c.lastFetched != null) {
      b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(c.lastFetched);
    } else if (ShardFrontier.FROM_SHARD_START.equals(c.startValue)) {
      b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
    } else if (ShardFrontier.FROM_START_POSITION.equals(c.startValue)) {
      switch (startingPosition.type()) {
        case LATEST:
          b.shardIteratorType(ShardIteratorType.LATEST);
          break;
        case AT_TIMESTAMP:
          b.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(startingPosition.timestamp());
          break;
        default:
          b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
      }
    } else {
      b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(c.startValue);
    }
    return client.getShardIterator(b.build()).shardIterator();
  }

  private void backoff(Cursor c) {
    c.backoffMs = c.backoffMs == 0 ? 100 : Math.min(MAX_BACKOFF_MS, c.backoffMs * 2);
    c.dueAt = nowMillis() + c.backoffMs;
  }

  private void put(Item item) throws InterruptedException {
    while (running) {
      if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
        Runnable l = listener;
        if (l != null) {
          l.run();
        }
        return;
      }
    }
    throw new InterruptedException("closing");
  }

  private static long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }
}
