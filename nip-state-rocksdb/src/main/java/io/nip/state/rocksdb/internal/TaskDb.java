package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import io.nip.state.StateBackend.LocalCheckpoint;
import io.nip.state.StateBackend.TaskScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One task's RocksDB database: {@code <stateDir>/<pipeline>/<taskId>/db}, one column family per
 * store id ("operator/store"), with the task's local checkpoints beside it in {@code checkpoints/}.
 *
 * <p>Why one database per task: a task is the unit of checkpoints and of moves between machines,
 * so one RocksDB checkpoint captures every store of the task at the same barrier, and dropping a
 * task deletes one directory. Column families keep stores apart without key prefixes.
 *
 * <p>Life cycle and invariants:
 * <ul>
 *   <li>The database opens lazily, when the first store is created or a checkpoint taken, and stays
 *       open until the backend closes or the task's state is reopened or dropped. The live
 *       directory left by an earlier process is never trusted (without a write-ahead log its last
 *       writes may be missing): it is emptied on the first open unless {@link #open(long)} laid a
 *       confirmed checkpoint there first.
 *   <li>A store holds a {@link Column}: a claim on its column family. Creating a store whose id is
 *       claimed by a store that was not closed (a task rebuilt in the same process) gives the new
 *       store an empty column family and makes the old one unusable; creating it after the old one
 *       was closed, or after {@link #open(long)}, keeps the content.
 *   <li>When the database closes ({@link #open(long)}, {@link #drop()}, the backend closed),
 *       every claim and every open iterator is invalidated first, so no native
 *       call ever reaches a closed handle.
 * </ul>
 *
 * <p>Threading: a task's stores, and {@link #checkpoint} and {@link #open}, run on the task's
 * thread; the life-cycle methods are {@code synchronized} so that {@link #drop()} and the backend's
 * close from another thread are safe once the task stopped using its stores. The read lock lets a
 * background scan of expired entries run while the task works; closing takes the write lock.
 * Confirmations go to {@link LocalCheckpoints}, which has its own lock.
 */
final class TaskDb {
  private final SharedResources shared;
  private final TaskScope task;
  private final Path root;
  private final Path liveDir;
  private final LocalCheckpoints checkpoints;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Map<String, ColumnFamilyHandle> families = new LinkedHashMap<>();
  private final Map<String, Column> claims = new LinkedHashMap<>();
  private final Set<RocksScan<?>> scans = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
  private RocksDB db;
  private ColumnFamilyHandle defaultFamily;
  private boolean liveTrusted;

  TaskDb(SharedResources shared, Path stateDir, TaskScope task) {
    this.shared = shared;
    this.task = task;
    this.root = stateDir.resolve(task.pipeline()).resolve(task.taskId());
    this.liveDir = root.resolve("db");
    this.checkpoints = new LocalCheckpoints(root.resolve("checkpoints"), task.pipeline() + "/" + task.taskId());
  }

  /**
   * A store's claim on its column family. {@link #handle()} fails once the claim is invalidated, so
   * a store outliving its database fails with a message instead of crashing the process.
   */
  static final class Column {
    final TaskDb owner;
    final String id;
    final Flushable store;
    private final ColumnFamilyHandle handle;
    private String invalidated;

    Column(TaskDb owner, String id, Flushable store, ColumnFamilyHandle handle) {
      this.owner = owner;
      this.id = id;
      this.store = store;
      this.handle = handle;
    }

    ColumnFamilyHandle handle() {
      if (invalidated != null) {
        throw new StateException("store '" + id + "' of task " + owner.describe() + " is no longer usable: "
            + invalidated);
      }
      return handle;
    }

    RocksDB db() {
      handle();
      return owner.db;
    }

    SharedResources shared() {
      return owner.shared;
    }

    boolean isValid() {
      return invalidated == null;
    }
  }

  /** What the task's stores do at a checkpoint: write their buffers to RocksDB. */
  interface Flushable {
    void flush();
  }

  String describe() {
    return task.pipeline() + "/" + task.taskId();
  }

  Path root() {
    return root;
  }

  LocalCheckpoints checkpoints() {
    return checkpoints;
  }

  /** Claims the column family of store {@code id} for {@code store}. */
  synchronized Column claim(String id, Flushable store) {
    ensureOpen();
    Column previous = claims.get(id);
    ColumnFamilyHandle handle = families.get(id);
    if (handle == null) {
      handle = createFamily(id);
    } else if (previous != null) {
      previous.invalidated = "a new store with the same id replaced it";
      clearFamily(id, handle);
    }
    Column c = new Column(this, id, store, handle);
    claims.put(id, c);
    return c;
  }

  /** Empties a claimed column family (a restore replaces the content). */
  synchronized void clear(Column c) {
    clearFamily(c.id, c.handle());
  }

  /**
   * Releases a store's claim. The database stays open (opening one costs about 0.1 s of syncs,
   * and a task rebuilt in the same process creates its stores again at once); it closes with the
   * backend, or when the task's state is reopened or dropped.
   */
  synchronized void release(Column c) {
    if (claims.get(c.id) == c) {
      claims.remove(c.id);
      c.invalidated = "it was closed";
    }
  }

  void register(RocksScan<?> scan) {
    scans.add(scan);
  }

  void unregister(RocksScan<?> scan) {
    scans.remove(scan);
  }

  ReentrantReadWriteLock.ReadLock readLock() {
    return lifecycle.readLock();
  }

  /** Writes every store's buffer, flushes the memtables and writes checkpoint {@code id}. */
  synchronized void checkpoint(long id) {
    for (Column c : new ArrayList<>(claims.values())) {
      c.store.flush();
    }
    ensureOpen();
    try {
      db.flush(shared.flushOptions(), new ArrayList<>(allFamilies()));
    } catch (RocksDBException e) {
      throw failure("flush the memtables before local checkpoint " + id, e);
    }
    checkpoints.create(db, id);
  }

  /**
   * Replaces the live database by the newest confirmed checkpoint at most {@code maxId} (or by an
   * empty one), and drops checkpoints newer than {@code maxId}.
   */
  synchronized Optional<LocalCheckpoint> open(long maxId) {
    closeDb("the task's local state was reopened from a local checkpoint");
    try {
      LocalCheckpoints.deleteTree(liveDir);
    } catch (IOException e) {
      throw new StateException("task " + describe() + ": could not delete " + liveDir + ": " + e.getMessage(), e);
    }
    Optional<LocalCheckpoint> chosen;
    synchronized (checkpoints) { // a confirmation's retention must not delete the chosen one meanwhile
      checkpoints.dropNewerThan(maxId);
      chosen = checkpoints.newestConfirmed(maxId);
      chosen.ifPresent(c -> checkpoints.cloneInto(c.checkpointId(), liveDir));
    }
    liveTrusted = true;
    return chosen;
  }

  /** Closes the database and deletes the task's directory, checkpoints included. */
  synchronized void drop() {
    closeDb("the task's local state was dropped");
    synchronized (checkpoints) {
      try {
        LocalCheckpoints.deleteTree(root);
      } catch (IOException e) {
        throw new StateException("task " + describe() + ": could not delete " + root + ": " + e.getMessage(), e);
      }
    }
    liveTrusted = true;
  }

  /** Closes the database; its files stay. */
  synchronized void close() {
    closeDb("the state backend was closed");
  }

  /** @return bytes of all memtables of the database, 0 when closed */
  synchronized long memTableBytes() {
    return db == null ? 0 : longProperty("rocksdb.cur-size-all-mem-tables");
  }

  /** @return bytes of table readers outside the block cache, 0 when closed */
  synchronized long tableReaderBytes() {
    return db == null ? 0 : longProperty("rocksdb.estimate-table-readers-mem");
  }

  private long longProperty(String name) {
    try {
      return db.getAggregatedLongProperty(name);
    } catch (RocksDBException e) {
      throw failure("read property " + name, e);
    }
  }

  private List<ColumnFamilyHandle> allFamilies() {
    List<ColumnFamilyHandle> all = new ArrayList<>(families.values());
    all.add(defaultFamily);
    return all;
  }

  private void ensureOpen() {
    if (db != null) {
      return;
    }
    try {
      if (!liveTrusted) {
        LocalCheckpoints.deleteTree(liveDir);
        liveTrusted = true;
      }
      Files.createDirectories(liveDir);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, shared.columnOptions()));
      if (Files.exists(liveDir.resolve("CURRENT"))) {
        try (Options options = new Options()) {
          for (byte[] name : RocksDB.listColumnFamilies(options, liveDir.toString())) {
            if (!java.util.Arrays.equals(name, RocksDB.DEFAULT_COLUMN_FAMILY)) {
              descriptors.add(new ColumnFamilyDescriptor(name, shared.columnOptions()));
            }
          }
        }
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      db = RocksDB.open(shared.dbOptions(), liveDir.toString(), descriptors, handles);
      defaultFamily = handles.get(0);
      for (int i = 1; i < handles.size(); i++) {
        families.put(new String(descriptors.get(i).getName(), StandardCharsets.UTF_8), handles.get(i));
      }
    } catch (RocksDBException | IOException e) {
      throw new StateException("task " + describe() + ": could not open RocksDB in " + liveDir + ": "
          + e.getMessage(), e);
    }
  }

  private ColumnFamilyHandle createFamily(String id) {
    try {
      ColumnFamilyHandle h = db.createColumnFamily(
          new ColumnFamilyDescriptor(id.getBytes(StandardCharsets.UTF_8), shared.columnOptions()));
      families.put(id, h);
      return h;
    } catch (RocksDBException e) {
      throw failure("create the column family of store '" + id + "'", e);
    }
  }

  /**
   * Deletes every entry of a column family with one range tombstone from its first to its last key
   * (and the last key itself): constant work, where dropping and creating the family again would
   * rewrite and sync the database's MANIFEST and OPTIONS files.
   */
  private void clearFamily(String id, ColumnFamilyHandle handle) {
    byte[] first;
    byte[] last;
    try (RocksIterator it = db.newIterator(handle)) {
      it.seekToFirst();
      if (!it.isValid()) {
        return;
      }
      first = it.key();
      it.seekToLast();
      last = it.key();
    }
    try (WriteBatch batch = new WriteBatch()) {
      batch.deleteRange(handle, first, last);
      batch.delete(handle, last);
      db.write(shared.writeOptions(), batch);
    } catch (RocksDBException e) {
      throw failure("empty the column family of store '" + id + "'", e);
    }
  }

  private void closeDb(String reason) {
    for (Column c : claims.values()) {
      c.invalidated = reason;
    }
    claims.clear();
    for (RocksScan<?> scan : new ArrayList<>(scans)) {
      scan.close();
    }
    if (db == null) {
      return;
    }
    lifecycle.writeLock().lock();
    try {
      // Without a write-ahead log, memtables are lost unless flushed: flush so that the files hold
      // every write (a later open of the same process may trust them).
      db.flush(shared.flushOptions(), allFamilies());
      for (ColumnFamilyHandle h : families.values()) {
        h.close();
      }
      defaultFamily.close();
      db.closeE();
    } catch (RocksDBException e) {
      throw failure("close the database", e);
    } finally {
      families.clear();
      defaultFamily = null;
      db = null;
      lifecycle.writeLock().unlock();
    }
  }

  private StateException failure(String what, RocksDBException e) {
    return new StateException("task " + describe() + ": could not " + what + " in " + liveDir + ": "
        + e.getMessage(), e);
  }
}
