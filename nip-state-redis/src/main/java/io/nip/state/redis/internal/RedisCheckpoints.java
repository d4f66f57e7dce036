package io.nip.state.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.nip.errors.StateException;
import io.nip.state.CheckpointStorage.StorageFailure;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Checkpoints of one pipeline in Redis, and — when linked to a backend — the commit of its stores'
 * staged writes together with them.
 *
 * <p>Layout (under {@code <prefix>:<pipeline>:#checkpoint}): {@code :<id>} a hash task → snapshot
 * bytes; {@code :written} a sorted set of ids with parts; {@code :completed} a sorted set of the
 * retained completed ids; {@code :latest} the latest completed id. A checkpoint is complete when
 * {@code :latest} (and {@code :completed}) name it; parts of checkpoints that never completed are
 * ignored and deleted by a later completion.
 *
 * <p>Atomicity: {@link Script#WRITE_PART} refuses parts for a checkpoint not newer than the latest
 * completed one (a completed checkpoint never changes). {@link Script#COMMIT} is the completion: it
 * checks every key it will touch, then applies the staged epochs claimed by this checkpoint or an
 * earlier one, sets {@code :latest}, and prunes beyond the retention, in one script — a crash or a
 * refusal leaves either the previous completed checkpoint with the previous live keys, or the new
 * one with the new live keys.
 *
 * <p>Threading: {@link #write} is called by several task threads at once; {@link #complete} is
 * serialized (synchronized) and holds the lock of every staged log of the pipeline while its script
 * runs, so that no snapshot reads a store half before and half after the commit.
 */
public final class RedisCheckpoints implements AutoCloseable {
  private final RedisLink link;
  private final String keys;
  private final byte[] latest;
  private final byte[] completed;
  private final byte[] written;
  private final int retained;
  private final String pipeline;
  private final Staging staging;
  private final Clock wallClock;
  private final boolean ownsLink;

  /** Linked checkpoints come from {@code RedisBackendCore.linkedCheckpoints}, standalone ones from {@link #standalone}. */
  RedisCheckpoints(RedisLink link, String keys, int retained, String pipeline, Staging staging, Clock wallClock,
      boolean ownsLink) {
    this.link = link;
    this.keys = keys;
    this.latest = KeyLayout.utf8(keys + ":latest");
    this.completed = KeyLayout.utf8(keys + ":completed");
    this.written = KeyLayout.utf8(keys + ":written");
    this.retained = retained;
    this.pipeline = pipeline;
    this.staging = staging;
    this.wallClock = wallClock;
    this.ownsLink = ownsLink;
  }

  /**
   * Checkpoints that stand alone (no backend's stores commit with them).
   *
   * @param link the connection, closed with these checkpoints
   * @param prefix the key prefix
   * @param pipeline the pipeline name
   * @param retained completed checkpoints to keep
   * @return the checkpoints
   */
  public static RedisCheckpoints standalone(RedisLink link, String prefix, String pipeline, int retained) {
    return new RedisCheckpoints(link, KeyLayout.checkpoints(prefix, pipeline), retained, pipeline, null,
        Clock.systemUTC(), true);
  }

  /** @return {@code "redis:host:port/db/<prefix>:<pipeline>:#checkpoint"} */
  public String name() {
    return "redis:" + link.server() + "/" + keys;
  }

  /** @return true when a backend's stores commit their writes with these checkpoints */
  public boolean linked() {
    return staging != null;
  }

  private byte[] parts(long checkpointId) {
    return KeyLayout.utf8(keys + ":" + checkpointId);
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Stores a task's part; with a linked backend, the writes the task's stores made up to the
   * snapshot in it now belong to this checkpoint.
   *
   * @param checkpointId the checkpoint
   * @param taskId the task
   * @param snapshot its bytes
   * @throws StorageFailure when Redis refused it (e.g. the checkpoint is not newer than the latest
   *     completed one) or could not be reached
   */
  public void write(long checkpointId, String taskId, byte[] snapshot) {
    try {
      link.<Long>eval(Script.WRITE_PART, ScriptOutputType.INTEGER, new byte[][] {latest, written, parts(checkpointId)},
          new byte[][] {ascii(checkpointId), KeyLayout.utf8(taskId), snapshot},
          "checkpoint " + checkpointId + ": writing the part of task " + taskId);
    } catch (StateException e) {
      throw new StorageFailure(e.getMessage(), e);
    }
    if (staging != null) {
      staging.claim(pipeline, taskId, checkpointId);
    }
  }

  /**
   * Completes a checkpoint, committing the staged store writes it claims, atomically.
   *
   * @param checkpointId the checkpoint, newer than the latest completed one, with at least one part
   * @throws StorageFailure when it was refused (nothing changed then) or Redis could not be reached
   *     (then it may or may not have completed: {@link #latestCompleted} tells)
   */
  public synchronized void complete(long checkpointId) {
    List<StagedLog> logs = staging == null ? List.of() : staging.logsOf(pipeline);
    for (StagedLog log : logs) {
      log.lock.lock();
    }
    try {
      List<List<StagedLog.Epoch>> epochs = new ArrayList<>(logs.size());
      List<byte[]> keyList = new ArrayList<>(List.of(latest, completed, written, parts(checkpointId)));
      List<byte[]> args = new ArrayList<>(List.of(ascii(checkpointId), ascii(retained), ascii(wallClock.millis()),
          KeyLayout.utf8(keys + ":")));
      for (StagedLog log : logs) {
        List<StagedLog.Epoch> claimed = log.claimedUpTo(checkpointId);
        epochs.add(claimed);
        for (StagedLog.Epoch e : claimed) {
          keyList.add(e.key);
          keyList.add(log.base);
          keyList.add(log.registry);
          args.add(log.base);
        }
      }
      try {
        link.<Long>eval(Script.COMMIT, ScriptOutputType.INTEGER, keyList.toArray(new byte[0][]),
            args.toArray(new byte[0][]), "checkpoint " + checkpointId + ": completing");
      } catch (StateException e) {
        throw new StorageFailure(e.getMessage(), e);
      }
      for (int i = 0; i < logs.size(); i++) {
        logs.get(i).committed(epochs.get(i));
      }
    } finally {
      for (int i = logs.size() - 1; i >= 0; i--) {
        logs.get(i).lock.unlock();
      }
    }
  }

  /**
   * @return the latest completed checkpoint, or empty
   * @throws StorageFailure when Redis could not be reached or holds something else there
   */
  public OptionalLong latestCompleted() {
    byte[] v;
    try {
      v = link.await(link.async().get(latest), "reading the latest completed checkpoint");
    } catch (StateException e) {
      throw new StorageFailure(e.getMessage(), e);
    }
    if (v == null) {
      return OptionalLong.empty();
    }
    String s = new String(v, StandardCharsets.US_ASCII);
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      throw new StorageFailure(name() + ": the latest completed checkpoint is recorded as '" + s
          + "', which is no checkpoint id", e);
    }
  }

  /**
   * @param checkpointId a checkpoint
   * @param taskId a task
   * @return the task's part, or null when it wrote none
   * @throws StorageFailure when Redis could not be reached
   */
  public byte[] read(long checkpointId, String taskId) {
    try {
      return link.await(link.async().hget(parts(checkpointId), KeyLayout.utf8(taskId)),
          "checkpoint " + checkpointId + ": reading the part of task " + taskId);
    } catch (StateException e) {
      throw new StorageFailure(e.getMessage(), e);
    }
  }

  /** Closes the connection when these checkpoints own it. */
  @Override
  public void close() {
    if (ownsLink) {
      link.close();
    }
  }
}
