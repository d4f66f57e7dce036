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
 * pipeline. The decision is made when a store is first created and then kept for its base, so a
 * store id never switches between staging and writing directly within one backend.
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
  /** pipeline → task → base → log. */
  private final Map<String, Map<String, Map<String, StagedLog>>> logs = new ConcurrentHashMap<>();

  Staging() {
    byte[] token = new byte[6];
    new SecureRandom().nextBytes(token);
    this.run = HexFormat.of().formatHex(token);
  }

  /** @param pipeline a pipeline whose checkpoints commit its stores' writes from now on */
  void link(String pipeline) {
    linked.add(pipeline);
  }

  /**
   * Where a new store's writes go.
   *
   * @param log the store's log when it stages, else null
   * @param firstPlacement true when this backend had not placed this base before: the caller deletes
   *     its leftover staging hashes
   */
  record Placement(StagedLog log, boolean firstPlacement) {}

  Placement place(StateBackend.StoreScope scope, String base) {
    boolean first = placed.add(base);
    Map<String, StagedLog> ofTask = logs.computeIfAbsent(scope.pipeline(), p -> new ConcurrentHashMap<>())
        .computeIfAbsent(scope.taskId(), t -> new ConcurrentHashMap<>());
    StagedLog existing = ofTask.get(base);
    if (existing != null) {
      return new Placement(existing, first);
    }
    if (!linked.contains(scope.pipeline())) {
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
   */
  void claim(String pipeline, String taskId, long checkpointId) {
    Map<String, StagedLog> ofTask = logs.getOrDefault(pipeline, Map.of()).get(taskId);
    if (ofTask != null) {
      for (StagedLog log : ofTask.values()) {
        log.claim(checkpointId);
      }
    }
  }

  /** @return every log of the pipeline, in lock order */
  List<StagedLog> logsOf(String pipeline) {
    List<StagedLog> all = new ArrayList<>();
    for (Map<String, StagedLog> ofTask : logs.getOrDefault(pipeline, Map.of()).values()) {
      all.addAll(ofTask.values());
    }
    all.sort(Comparator.comparing(l -> l.id));
    return all;
  }
}
