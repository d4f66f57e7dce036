package io.nip.state;

import io.nip.source.SourcePosition;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the state of a pipeline's tasks as changelogs, committed together with the source positions.
 * At every checkpoint each task hands over the entries its stores changed since the previous
 * checkpoint (timers included: they are kept in stores), and a small metadata record (watermarks,
 * the list of its stores); the changelog commits all of them and the source positions of the
 * checkpoint in one atomic step (for Kafka: one transaction over compacted changelog topics and
 * the consumer group's offsets),
 * so state and positions always agree. A task restores from the committed changes, optionally only
 * from a position on (after a local checkpoint of a durable backend).
 *
 * <p>Implemented by connectors whose source has its own position store; a source offers one
 * by implementing {@link ChangelogProvider}. The runtime uses it when the pipeline reads exactly one
 * such source and no {@link CheckpointStorage} is configured.
 *
 * <p>Threading: {@link #commit} and {@link #restore} are called by one thread at a time per
 * pipeline, not necessarily the same one; restores through distinct {@link #restoreView() views}
 * may run at the same time.
 */
public interface StateChangelog extends AutoCloseable {

  /** @return a short name for logs, e.g. "kafka:localhost:9092" */
  String name();

  /**
   * Prepares the changelog for a pipeline (fences earlier instances of it) and finds its latest
   * committed checkpoint. Called once, before any restore or commit.
   *
   * @param pipeline the pipeline name, the application id: changelog names derive from it
   * @return the id of the latest committed checkpoint, or 0 when none
   * @throws io.nip.errors.StateException when the changelog cannot be reached or is inconsistent
   */
  long open(String pipeline);

  /**
   * Restores one task: hands every committed change of its stores to {@code changes}, in the order
   * they were committed, and returns its latest committed metadata.
   *
   * @param task the task
   * @param from per store id, the changelog position to start at (after a local checkpoint); a
   *     store not in the map is read from its beginning
   * @param changes receives the changes
   * @return the task's latest committed metadata, or null when it never committed one
   * @throws io.nip.errors.StateException when the changelog cannot be read
   */
  byte[] restore(TaskRef task, Map<String, Long> from, java.util.function.Consumer<Change> changes);

  /**
   * A view of this changelog that restores tasks with its own connections, so that the runtime
   * restores several tasks at once, each view on its own thread. Only {@link #restore}, {@link
   * #name} and {@link #close} are called on a view, after {@link #open} and before the first
   * commit; closing a view leaves this changelog open. Restores through views read the metadata
   * this changelog read at {@link #open}.
   *
   * <p>Usage (by the runtime): {@code try (StateChangelog view = changelog.restoreView()) {
   * view.restore(task, Map.of(), apply); }}
   *
   * @return a new view, or null when this changelog restores one task at a time (the default)
   */
  default StateChangelog restoreView() {
    return null;
  }

  /**
   * Whether the source resumes by itself at the positions this changelog commits (Kafka: the
   * consumer group's offsets, which follow a partition to whichever member gets it). When false,
   * the runtime creates each reader at the position of its task's restored metadata.
   *
   * @return false by default
   */
  default boolean sourceResumesAtCommittedPositions() {
    return false;
  }

  /**
   * Whether another instance committed state of this task since this instance last restored or
   * committed it: asked when a consumer group assigns the task's partition here (again). When true,
   * the runtime empties the task's state and restores it before the task reads its partition.
   *
   * @param task the task
   * @return true when the committed state differs from what this instance knows; false by default
   * @throws io.nip.errors.StateException when the changelog cannot be read
   */
  default boolean changedElsewhere(TaskRef task) {
    return false;
  }

  /**
   * Commits one checkpoint atomically: every task part and the source positions, or nothing. Parts
   * of tasks whose source partition this instance does not own are not written.
   *
   * @param checkpointId the checkpoint, increasing
   * @param parts the task parts (a part may repeat changes of an earlier checkpoint whose commit
   *     failed; later changes of a key come later in the list)
   * @param sourcePositions per source partition index, the position at the checkpoint's barrier
   * @return per task id whose part was written, per store id, the changelog position just after
   *     this commit's records (a task whose part was not written is absent: its local checkpoint is
   *     not confirmed)
   * @throws CommitFailure when nothing was committed; the caller retries with the next checkpoint
   * @throws io.nip.errors.StateException when the changelog is unusable (e.g. fenced by another
   *     instance of the same application)
   */
  Map<String, Map<String, Long>> commit(long checkpointId, List<TaskPart> parts,
      Map<Integer, SourcePosition> sourcePositions);

  /**
   * Whether this changelog writes a sink's records in its commits, for pipelines under {@link
   * io.nip.pipeline.Guarantee#EXACTLY_ONCE}: the sink then hands its records to {@link
   * io.nip.sink.TransactionalOutput#add} and they commit with the checkpoint's state and positions.
   * The sink decides, from {@link io.nip.sink.TransactionalOutput#committer()} (this changelog),
   * whether it can; the runtime only passes the records on. Default: false.
   *
   * @return true when records of {@link TaskPart#output()} are written by {@link #commit}
   */
  default boolean writesOutput() {
    return false;
  }

  /** Releases clients; committed data stays. */
  @Override
  void close();

  /**
   * A task as the changelog sees it.
   *
   * @param taskId the task id
   * @param partition its index among the tasks of its stage: the changelog partition of its stores
   * @param partitions how many tasks its stage has: the changelog's partition count
   * @param sourcePartition the source partition it reads, or -1 for tasks behind an exchange
   */
  record TaskRef(String taskId, int partition, int partitions, int sourcePartition) {
    /** Validates. */
    public TaskRef {
      Objects.requireNonNull(taskId, "taskId");
    }
  }

  /**
   * One entry a store changed since the previous checkpoint.
   *
   * @param storeId "operator/store"
   * @param key serialized key
   * @param value serialized value, or null when the key was deleted
   * @param expiresAtMillis epoch milliseconds at which the entry expires, or {@link Long#MAX_VALUE}
   */
  record Change(String storeId, byte[] key, byte[] value, long expiresAtMillis) {}

  /**
   * One task's part of a checkpoint.
   *
   * @param task the task
   * @param storeIds the ids of every store the task has: a restore reads their changelogs
   * @param meta its metadata (watermarks, source position), opaque to the changelog
   * @param changes its store changes
   * @param assignment for a source task, the assignment of its partition its state belongs to
   *     ({@link io.nip.source.SourceReader#assignment()}); a changelog writes the part only while the
   *     partition is still assigned here under that assignment. 0 for tasks behind an exchange
   * @param output under {@link io.nip.pipeline.Guarantee#EXACTLY_ONCE}: the records the task's sinks
   *     handed to {@link io.nip.sink.TransactionalOutput#add} since the previous barrier, in the order
   *     they were written; the changelog writes them in the same atomic commit as the part's changes
   *     (and only when it writes the part). Empty otherwise
   * @param ahead which of the output records were already written ahead, into the transaction
   *     that the next commit ends ({@link #writeAhead}); {@link Ahead#NONE} when none
   */
  record TaskPart(TaskRef task, List<String> storeIds, byte[] meta, List<Change> changes, long assignment,
      List<Object> output, Ahead ahead) {
    /** Validates. */
    public TaskPart {
      Objects.requireNonNull(task, "task");
      output = output == null ? List.of() : output;
      ahead = ahead == null ? Ahead.NONE : ahead;
    }

    /**
     * A part none of whose output records were written ahead.
     *
     * @param task the task
     * @param storeIds its stores
     * @param meta its metadata
     * @param changes its store changes
     * @param assignment its partition's assignment, or 0
     * @param output its output records
     */
    public TaskPart(TaskRef task, List<String> storeIds, byte[] meta, List<Change> changes, long assignment,
        List<Object> output) {
      this(task, storeIds, meta, changes, assignment, output, Ahead.NONE);
    }

    /**
     * A part without output records.
     *
     * @param task the task
     * @param storeIds its stores
     * @param meta its metadata
     * @param changes its store changes
     * @param assignment its partition's assignment, or 0
     */
    public TaskPart(TaskRef task, List<String> storeIds, byte[] meta, List<Change> changes, long assignment) {
      this(task, storeIds, meta, changes, assignment, List.of(), Ahead.NONE);
    }
  }

  /**
   * The first {@code records} output records of a part were written ahead into the open
   * transaction {@code transaction} (a token of {@link #writeAhead}); the commit that ends that
   * transaction writes only the rest. Any other commit writes them all.
   *
   * @param transaction the token of the transaction they were written into, 0 for none
   * @param records how many of the part's first output records it holds
   */
  record Ahead(long transaction, int records) {
    /** No record written ahead. */
    public static final Ahead NONE = new Ahead(0, 0);
  }

  /**
   * Under exactly-once, whether the output of a task whose last barrier was {@code barrier} may be
   * written ahead now: the changelog has a transaction open that its next commit ends, and that
   * commit takes every record such a task hands over until its next barrier. A record written ahead
   * becomes visible (to {@code read_committed} readers) with that commit, so its latency no longer
   * includes the round trips of writing it at the commit.
   *
   * @param barrier the checkpoint id of the task's last barrier
   * @return the open transaction's token, or 0 when records are to be held for the commit (the
   *     default: this changelog writes nothing ahead)
   */
  default long aheadTransaction(long barrier) {
    return 0;
  }

  /**
   * Writes output records ahead, into the open transaction {@code transaction}; called by a task's
   * thread, concurrently with other tasks. The caller keeps the records: they go again with a
   * commit that does not end this transaction (it was abandoned or failed).
   *
   * @param transaction a token from {@link #aheadTransaction}
   * @param records the task's output records since its last barrier, in write order
   * @param from the index of the first record not written ahead yet
   * @return how many records from {@code from} on were written; -1 when the transaction is no longer
   *     open (the records are then held for the commit)
   */
  default int writeAhead(long transaction, List<Object> records, int from) {
    return -1;
  }

  /**
   * Abandons the open transaction of records written ahead (a task's uncommitted output is dropped
   * because its state is restored): it is aborted, and the next commit writes every part's records
   * itself. Called while no commit runs.
   */
  default void abandonAhead() {}

  /** A commit that did not happen; the state it carried is sent again with the next checkpoint. */
  final class CommitFailure extends io.nip.errors.StateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the client's exception
     */
    public CommitFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
