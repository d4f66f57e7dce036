package io.nip.state.redis.internal;

import io.nip.state.StateBackend;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's bookkeeping of which stores stage their writes for a checkpoint commit, and of
 * their {@link StagedLog}s, by pipeline and task.
 *
 * <p>Why: a store stages (instead of writing its live keys) only when its pipeline's checkpoints
 * go to the same Redis, which the backend learns when {@code checkpointStorage(pipeline)} links the
 * pipeline. The decision is made when a store is created: a store created before its pipeline was
 * linked writes directly (a warning says so); once a base stages, every later store of that base
 * in this backend continues its log.
 *
 * <p>The first time this backend places a store base, the store's leftover staging hashes (from
 * a process that stopped before committing them) are deleted by the caller: they were never
 * committed, and the checkpoint the store restores from does not hold them.
 *
 * <p>Threading: thread-safe (concurrent maps); stores are created on task threads, claims and
 * commits come from the checkpoint coordinator.
 */
final class Staging {
  private static final Logger LOG = LoggerFactory.getLogger(Staging.class);
  private final String run;
  private final Set<String> linked = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Set<String> placed = ConcurrentHashMap.newKeySet();
  /** Pipelines with a store that writes its keys directly. */
  private final Set<String> direct = ConcurrentHashMap.newKeySet();
  /** pipeline → task → base → log. */
  private final Map<String, Map<String, Map<String, StagedLog>>> logs = new ConcurrentHashMap<>();

  /** A new backend's bookkeeping, with a fresh run token. */
  Staging() {
    byte[] token = new byte[6];
    new SecureRandom().nextBytes(token);
    this.run = HexFormat.of().formatHex(token);
  }

  /** @param pipeline a pipeline whose checkpoints commit its stores' writes from now on */
  void link(String pipeline) {
    linked.add(pipeline);
    if (direct.contains(pipeline)) {
      LOG.warn("stores of pipeline '{}' were created before its checkpoint storage in this Redis: those stores write "
          + "their keys directly, not together with checkpoints; create the storage before the pipeline starts", pipeline);
    }
  }

  /**
   * Where a new store's writes go.
   *
   * @param log the store's log when it stages, else null
   * @param firstPlacement true when this backend had not placed this base before: the caller deletes
   *     its leftover staging hashes
   */
  record Placement(StagedLog log, boolean firstPlacement) {}

  /**
   * @param scope a new store's pipeline, task and operator
   * @param base its base key
   * @return whether it stages (its log) and whether this is the first placement of the base
   */
  Placement place(StateBackend.StoreScope scope, String base) {
    boolean first = placed.add(base);
    Map<String, StagedLog> ofTask = logs.computeIfAbsent(scope.pipeline(), p -> new ConcurrentHashMap<>())
        .computeIfAbsent(scope.taskId(), t -> new ConcurrentHashMap<>());
    StagedLog existing = ofTask.get(base);
    if (existing != null) {
      return new Placement(existing, first);
    }
    if (!linked.contains(scope.pipeline())) {
      direct.add(scope.pipeline());
      if (!linked.isEmpty() && warned.add(scope.pipeline())) {
        LOG.warn("stores of pipeline '{}' write their Redis keys directly, not together with checkpoints: this "
            + "backend commits stores with checkpoints only for the pipelines {} (see checkpointStorage(pipeline))",
            scope.pipeline(), linked);
      }
      return new Placement(null, first);
    }
    StagedLog log = ofTask.computeIfAbsent(base, b -> new StagedLog(b, run));
    return new Placement(log, first);
  }

  /**
   * The storage stored a task's part of a checkpoint: every epoch its stores sealed so far (at the
   * snapshot in that part) belongs to that checkpoint.
   *
   * @param pipeline the pipeline
   * @param taskId the task whose part was stored
   * @param checkpointId the checkpoint
   */
  void claim(String pipeline, String taskId, long checkpointId) {
    Map<String, StagedLog> ofTask = logs.getOrDefault(pipeline, Map.of()).get(taskId);
    if (ofTask != null) {
      for (StagedLog log : ofTask.values()) {
        log.claim(checkpointId);
      }
    }
  }

  /**
   * @param pipeline a pipeline
   * @return every log of the pipeline, in lock order
   */
  List<StagedLog> logsOf(String pipeline) {
    List<StagedLog> all = new ArrayList<>();
    for (Map<String, StagedLog> ofTask : logs.getOrDefault(pipeline, Map.of()).values()) {
      all.addAll(ofTask.values());
    }
    all.sort(Comparator.comparing(l -> l.id));
    return all;
  }
}
