package io.nip.state;

import io.nip.source.SourcePosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Test support: a changelog held in memory with the semantics of a transactional log — per store
 * and partition an append-only list of changes, per task its latest metadata, and the source
 * positions, all replaced in one atomic step per commit, or not at all. Commits can be made to fail
 * (every n-th, or all from some point on, like a process that died), so tests can check that a
 * failed commit loses nothing and a restart sees exactly the committed state. Like a consumer
 * group, it can be told which source partitions this instance owns ({@link #owned}): parts and
 * positions of the others are not written; and a test can commit a task's state as another
 * instance would ({@link #commitElsewhere}), which {@link #changedElsewhere} then reports.
 */
public final class MemoryChangelog implements StateChangelog {
  private final Map<String, List<Change>> logs = new HashMap<>();
  private final Map<String, byte[]> metas = new HashMap<>();
  private final Map<String, List<String>> storeIds = new HashMap<>();
  private final Map<Integer, SourcePosition> positions = new HashMap<>();
  private long committed;
  private int commits;
  /** Every n-th commit fails (0: none). */
  public volatile int failEvery;
  /** When true every commit fails, as if the process had died before it. */
  public volatile boolean frozen;
  private int failed;
  /** Which source partitions this instance owns; parts and positions of the others are not written. */
  public volatile java.util.function.IntPredicate owned = p -> true;
  /**
   * When set, a source partition's current assignment here: a part taken under another assignment
   * (before the partition moved away and back) is not written, nor is its position, as Kafka's
   * changelog does.
   */
  public volatile java.util.function.IntToLongFunction assignment;
  /** Per task id, the metadata this instance restored or committed last. */
  private final Map<String, byte[]> applied = new HashMap<>();

  @Override
  public String name() {
    return "memory-changelog";
  }

  @Override
  public synchronized long open(String pipeline) {
    return committed;
  }

  @Override
  public synchronized byte[] restore(TaskRef task, Map<String, Long> from, Consumer<Change> changes) {
    byte[] meta = metas.get(task.taskId());
    if (meta == null) {
      return null;
    }
    applied.put(task.taskId(), meta);
    for (String store : storeIds.get(task.taskId())) {
      List<Change> log = logs.getOrDefault(store + "#" + task.partition(), List.of());
      for (int i = (int) (long) from.getOrDefault(store, 0L); i < log.size(); i++) {
        changes.accept(log.get(i));
      }
    }
    return meta;
  }

  /** When true, sinks write their records through this changelog's commits (exactly-once). */
  public volatile boolean writesOutput;
  private final List<Object> output = new ArrayList<>();

  @Override
  public boolean writesOutput() {
    return writesOutput;
  }

  /**
   * When true, tasks write output ahead into an "open transaction" between commits, as the Kafka
   * changelog does: a commit then checks that every record written ahead is in the prefix its part
   * declares, commits them (in the order written) before the parts' other records, and a failed
   * commit drops them (the parts carry them again).
   */
  public volatile boolean writesAhead;
  private long aheadToken;
  private long aheadBase;
  private long tokens;
  private final List<Object> aheadOutput = new ArrayList<>();
  private int aheadCommitted;
  private int aheadDropped;

  @Override
  public synchronized long aheadTransaction(long barrier) {
    return writesAhead && aheadToken != 0 && aheadBase == barrier ? aheadToken : 0;
  }

  @Override
  public synchronized int writeAhead(long transaction, List<Object> records, int from) {
    if (transaction != aheadToken || aheadToken == 0) {
      return -1;
    }
    aheadOutput.addAll(records.subList(from, records.size()));
    return records.size() - from;
  }

  @Override
  public synchronized void abandonAhead() {
    aheadDropped += aheadOutput.size();
    aheadOutput.clear();
    aheadToken = 0;
  }

  /** @return how many records written ahead were committed */
  public synchronized int aheadCommitted() {
    return aheadCommitted;
  }

  /** @return how many records written ahead were dropped with their transaction (and sent again) */
  public synchronized int aheadDropped() {
    return aheadDropped;
  }

  /** The committed output of one commit, as Kafka would hold it; checks what was written ahead. */
  private List<Object> outputOf(long token, List<TaskPart> parts, java.util.function.Predicate<TaskPart> written) {
    List<Object> prefixes = new ArrayList<>();
    boolean usable = token != 0;
    for (TaskPart p : parts) {
      if (token != 0 && p.ahead().transaction() == token) {
        prefixes.addAll(p.output().subList(0, p.ahead().records()));
        usable &= written.test(p);
      }
    }
    java.util.Map<Object, Long> want = new HashMap<>();
    prefixes.forEach(r -> want.merge(r, 1L, Long::sum));
    java.util.Map<Object, Long> got = new HashMap<>();
    aheadOutput.forEach(r -> got.merge(r, 1L, Long::sum));
    if (token != 0 && !want.equals(got)) {
      throw new AssertionError("records written ahead " + aheadOutput + " are not the parts' prefixes " + prefixes);
    }
    List<Object> out = new ArrayList<>();
    if (usable) {
      out.addAll(aheadOutput);
      aheadCommitted += aheadOutput.size();
    } else {
      aheadDropped += aheadOutput.size();
    }
    for (TaskPart p : parts) {
      if (written.test(p)) {
        int from = usable && p.ahead().transaction() == token ? p.ahead().records() : 0;
        out.addAll(p.output().subList(from, p.output().size()));
      }
    }
    aheadOutput.clear();
    return out;
  }

  /** @return every output record committed, in commit order */
  public synchronized List<Object> output() {
    return List.copyOf(output);
  }

  /** When set, a commit waits until it is counted down (a slow cluster), outside the lock. */
  public volatile java.util.concurrent.CountDownLatch holdCommits;
  /** When set, every commit throws it (an error that stops the pipeline). */
  public volatile RuntimeException fatal;
  private final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();

  /** @return how many commits were started (held ones included) */
  public int started() {
    return started.get();
  }

  @Override
  public Map<String, Map<String, Long>> commit(long checkpointId, List<TaskPart> parts,
      Map<Integer, SourcePosition> sourcePositions) {
    started.incrementAndGet();
    java.util.concurrent.CountDownLatch hold = holdCommits;
    if (hold != null) {
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommitFailure("interrupted", e);
      }
    }
    RuntimeException error = fatal;
    if (error != null) {
      throw error;
    }
    return commitNow(checkpointId, parts, sourcePositions);
  }

  private synchronized Map<String, Map<String, Long>> commitNow(long checkpointId, List<TaskPart> parts,
      Map<Integer, SourcePosition> sourcePositions) {
    commits++;
    long token = aheadToken;
    aheadToken = 0;
    if (frozen || (failEvery > 0 && commits % failEvery == 0)) {
      failed++;
      aheadDropped += aheadOutput.size();
      aheadOutput.clear();
      throw new CommitFailure("commit " + checkpointId + " refused by the test", null);
    }
    Map<String, Map<String, Long>> after = new HashMap<>();
    java.util.Set<Integer> stale = new java.util.HashSet<>();
    output.addAll(outputOf(token, parts, p -> !(p.task().sourcePartition() >= 0
        && (!owned.test(p.task().sourcePartition()) || assignment != null
            && assignment.applyAsLong(p.task().sourcePartition()) != p.assignment()))));
    for (TaskPart p : parts) {
      if (p.task().sourcePartition() >= 0 && !owned.test(p.task().sourcePartition())) {
        continue; // another instance owns the partition, and with it this task's state
      }
      if (p.task().sourcePartition() >= 0 && assignment != null
          && assignment.applyAsLong(p.task().sourcePartition()) != p.assignment()) {
        stale.add(p.task().sourcePartition()); // assigned here again since: restored before it is read
        continue;
      }
      applied.put(p.task().taskId(), p.meta());
      maxMetaBytes = Math.max(maxMetaBytes, p.meta().length);
      for (Change c : p.changes()) {
        logs.computeIfAbsent(c.storeId() + "#" + p.task().partition(), k -> new ArrayList<>())
            .add(c);
      }
      metas.put(p.task().taskId(), p.meta());
      storeIds.put(p.task().taskId(), List.copyOf(p.storeIds()));
      Map<String, Long> ends = new HashMap<>();
      for (String store : p.storeIds()) {
        ends.put(store, (long) logs.getOrDefault(store + "#" + p.task().partition(),
            List.of()).size());
      }
      after.put(p.task().taskId(), ends);
    }
    sourcePositions.forEach((partition, position) -> {
      if (owned.test(partition) && !stale.contains(partition)) {
        positions.put(partition, position);
      }
    });
    committed = checkpointId;
    aheadToken = ++tokens;
    aheadBase = checkpointId;
    return after;
  }

  private int maxMetaBytes;

  /** @return the size of the largest task metadata committed, in bytes */
  public synchronized int maxMetaBytes() {
    return maxMetaBytes;
  }

  /**
   * @param storeId "operator/store"
   * @return how many changes of that store were committed, over every partition
   */
  public synchronized int changesOf(String storeId) {
    int n = 0;
    for (Map.Entry<String, List<Change>> e : logs.entrySet()) {
      if (e.getKey().startsWith(storeId + "#")) {
        n += e.getValue().size();
      }
    }
    return n;
  }

  @Override
  public synchronized boolean changedElsewhere(TaskRef task) {
    byte[] latest = metas.get(task.taskId());
    return latest != null && applied.get(task.taskId()) != latest;
  }

  /**
   * Commits a task's part and its partition's position as another instance of the application
   * would: {@link #changedElsewhere} reports it to this one.
   *
   * @param part the part (its changes are appended, its metadata replaces the task's)
   * @param position the source position committed with it
   */
  public synchronized void commitElsewhere(TaskPart part, SourcePosition position) {
    for (Change c : part.changes()) {
      logs.computeIfAbsent(c.storeId() + "#" + part.task().partition(), k -> new ArrayList<>()).add(c);
    }
    metas.put(part.task().taskId(), part.meta());
    storeIds.put(part.task().taskId(), List.copyOf(part.storeIds()));
    positions.put(part.task().sourcePartition(), position);
  }

  /**
   * @param task a task id
   * @return the task's latest committed metadata, or null
   */
  public synchronized byte[] meta(String task) {
    return metas.get(task);
  }

  /**
   * @param storeId a store id
   * @param partition a task's partition
   * @return every change committed to that store's log, in order
   */
  public synchronized List<Change> log(String storeId, int partition) {
    return List.copyOf(logs.getOrDefault(storeId + "#" + partition, List.of()));
  }

  /** @return how many commits failed */
  public synchronized int failed() {
    return failed;
  }

  /** @return the committed source positions by partition */
  public synchronized Map<Integer, SourcePosition> positions() {
    return new HashMap<>(positions);
  }

  /** @return the id of the last committed checkpoint */
  public synchronized long committed() {
    return committed;
  }

  @Override
  public void close() {}
}
