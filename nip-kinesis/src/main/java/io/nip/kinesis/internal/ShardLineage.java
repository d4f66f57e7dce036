package io.nip.kinesis.internal;

/*
 * The shard graph of one stream, shared by every reader of a KinesisSource in this process.
 *
 * Why: a Kinesis stream's shards change under resharding (a split closes one parent and opens two
 * children; a merge closes two parents and opens one child), while a pipeline has a fixed number of
 * tasks. The tasks are therefore the stream's *lineage roots* (shards whose parent is not listed,
 * sorted by id), and every shard belongs to the task of the root it descends from through its
 * `parentShardId`. A split keeps both children in their parent's task, so records of one key (which
 * hash into one child) stay in order. A merge child belongs to the task of its `parentShardId`; its
 * `adjacentParentShardId` may belong to another task, so the child is read only once that parent
 * is finished (`finished`, marked by the reader that emitted the parent's last record).
 *
 * Invariants: the roots are fixed at the first listing (the task count); later listings only add
 * shards. A shard whose parent chain reaches no root (its lineage expired) belongs to the task its
 * id hashes to.
 *
 * Threading: listings are synchronized; `finished` is a concurrent set read by every fetch thread.
 */

import io.nip.errors.ConnectorException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** The shards of a stream, their tasks and which of them are finished. */
public final class ShardLineage {

  /**
   * One shard as listed.
   *
   * @param id the shard id
   * @param parent the parent shard id, or null
   * @param adjacentParent the adjacent parent of a merge, or null
   * @param closed whether the shard has an ending sequence number (no record will be added)
   */
  public record ShardInfo(String id, String parent, String adjacentParent, boolean closed) {}

  private final Supplier<List<Shard>> lister;
  private final Map<String, ShardInfo> shards = new HashMap<>();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private List<String> roots;

  /** @param lister lists every shard of the stream (ListShards, all pages) */
  public ShardLineage(Supplier<List<Shard>> lister) {
    this.lister = lister;
  }

  /** Lists the shards again; the first listing fixes the roots. */
  public synchronized void refresh() {
    for (Shard s : lister.get()) {
      shards.put(s.shardId(), new ShardInfo(s.shardId(), s.parentShardId(), s.adjacentParentShardId(),
          s.sequenceNumberRange() != null && s.sequenceNumberRange().endingSequenceNumber() != null));
    }
    if (roots == null) {
      List<String> r = new ArrayList<>();
      for (ShardInfo s : shards.values()) {
        if (s.parent() == null || !shards.containsKey(s.parent())) {
          r.add(s.id());
        }
      }
      r.sort(null);
      if (r.isEmpty()) {
        throw new ConnectorException("the stream lists no shard");
      }
      roots = List.copyOf(r);
    }
  }

  /** @return the number of tasks: the lineage roots of the first listing */
  public synchronized int tasks() {
    if (roots == null) {
      refresh();
    }
    return roots.size();
  }

  /**
   * @param task a task index
   * @return the root shard of that task
   */
  public synchronized String root(int task) {
    tasks();
    return roots.get(task);
  }

  /**
   * @param shardId a listed shard
   * @return its listing, or null when it is not (yet) listed
   */
  public synchronized ShardInfo shard(String shardId) {
    return shards.get(shardId);
  }

  /**
   * @param shardId a shard id
   * @return the index of the task that reads it
   */
  public synchronized int taskOf(String shardId) {
    tasks();
    String id = shardId;
    for (int guard = 0; guard < 10_000; guard++) {
      int i = roots.indexOf(id);
      if (i >= 0) {
        return i;
      }
      ShardInfo s = shards.get(id);
      if (s == null || s.parent() == null) {
        break;
      }
      id = s.parent();
    }
    return Math.floorMod(shardId.hashCode(), roots.size());
  }

  /**
   * The children of a closed shard, listing again when they are not known yet.
   *
   * @param shardId a closed shard
   * @return the shards whose parent or adjacent parent it is, sorted by id
   */
  public synchronized List<ShardInfo> childrenOf(String shardId) {
    List<ShardInfo> out = children(shardId);
    if (out.isEmpty()) {
      refresh();
      out = children(shardId);
    }
    return out;
  }

  private List<ShardInfo> children(String shardId) {
    List<ShardInfo> out = new ArrayList<>();
    for (ShardInfo s : shards.values()) {
      if (shardId.equals(s.parent()) || shardId.equals(s.adjacentParent())) {
        out.add(s);
      }
    }
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }

  /**
   * The open shards that descend from a shard (itself when it is open), for a start at LATEST.
   *
   * @param shardId a listed shard
   * @param task only descendants read by this task
   * @return the open descendants
   */
  public synchronized List<String> openDescendants(String shardId, int task) {
    List<String> out = new ArrayList<>();
    ShardInfo s = shards.get(shardId);
    if (s == null || !s.closed()) {
      out.add(shardId);
      return out;
    }
    finished.add(shardId);
    for (ShardInfo c : children(shardId)) {
      if (taskOf(c.id()) == task) {
        out.addAll(openDescendants(c.id(), task));
      }
    }
    return out;
  }

  /** @param shardId a shard whose last record was emitted (or that is skipped) */
  public void markFinished(String shardId) {
    finished.add(shardId);
  }

  /**
   * @param shardId a shard
   * @return whether its last record was emitted by its task
   */
  public boolean isFinished(String shardId) {
    return finished.contains(shardId);
  }
}
