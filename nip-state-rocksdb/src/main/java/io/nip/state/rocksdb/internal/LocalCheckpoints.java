package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import io.nip.state.StateBackend.LocalCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local checkpoints of one task: {@code <task>/checkpoints/chk-<id>/}, each a RocksDB
 * checkpoint (hard links to the live database's immutable SST files, plus small copies of its
 * MANIFEST, CURRENT and OPTIONS files), so a checkpoint costs disk only for files no other
 * checkpoint or the live database still holds.
 *
 * <p>A checkpoint is <em>confirmed</em> once its {@value #CONFIRMED} file exists: written to a
 * temporary file, forced to disk, renamed over the final name and the directory forced, so that a
 * crash leaves either no confirmation or a complete one. Only confirmed checkpoints are ever
 * opened. Retention: the {@value #KEEP_CONFIRMED} newest confirmed checkpoints; confirming one
 * deletes older confirmed ones beyond that and every older unconfirmed one. Opening the live
 * database from a checkpoint hard-links its SST files and copies the rest, so the live database
 * never writes into a file a checkpoint holds (RocksDB never modifies an SST file in place).
 *
 * <p>Threading: every method is {@code synchronized}: {@link #confirm} comes from any thread while
 * the task's thread creates or opens checkpoints.
 */
final class LocalCheckpoints {
  static final String CONFIRMED = "_CONFIRMED";
  static final int KEEP_CONFIRMED = 2;
  private static final Logger LOG = LoggerFactory.getLogger(LocalCheckpoints.class);
  private static final Pattern NAME = Pattern.compile("chk-(\\d+)");
  private static final String POSITION = "position.";
  private final Path dir;
  private final String task;

  /**
   * @param dir the task's checkpoint directory, created when the first checkpoint is
   * @param task the task, for messages
   */
  LocalCheckpoints(Path dir, String task) {
    this.dir = dir;
    this.task = task;
  }

  Path directory(long id) {
    return dir.resolve("chk-" + id);
  }

  /** Makes the live database's current content checkpoint {@code id}, unconfirmed. */
  synchronized void create(RocksDB db, long id) {
    Path target = directory(id);
    try {
      Files.createDirectories(dir);
      if (Files.exists(target)) {
        // Left by an earlier run that never committed it (or that a restore chose to ignore).
        LOG.info("task {}: replacing local checkpoint {} left by an earlier run{}", task, id,
            Files.exists(target.resolve(CONFIRMED)) ? " (it was confirmed)" : "");
        deleteTree(target);
      }
      deleteTree(dir.resolve("chk-" + id + ".tmp"));
      try (Checkpoint checkpoint = Checkpoint.create(db)) {
        checkpoint.createCheckpoint(target.toString());
      }
    } catch (RocksDBException | IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not write local checkpoint " + id + " to " + target
          + ": " + e.getMessage(), e);
    }
  }

  /**
   * Confirms checkpoint {@code id} with its changelog positions, then applies the retention. A
   * confirmation that arrives after a newer checkpoint's (confirmations may come from any thread,
   * out of order) finds its checkpoint deleted as superseded, and is ignored.
   */
  synchronized void confirm(long id, Map<String, Long> changelogPositions) {
    Path target = directory(id);
    if (!Files.isDirectory(target)) {
      if (newestConfirmedId() > id) {
        LOG.debug("task {}: local checkpoint {} was confirmed after a newer one; ignored", task, id);
        return;
      }
      throw new StateException("task " + task + ": cannot confirm local checkpoint " + id + ": " + target
          + " does not exist (was checkpointLocally called for it, or was it dropped?)");
    }
    Properties props = new Properties();
    props.setProperty("format", "1");
    props.setProperty("checkpoint", Long.toString(id));
    changelogPositions.forEach((store, position) -> props.setProperty(POSITION + store, Long.toString(position)));
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      props.store(bytes, "local checkpoint " + id + " of task " + task + ": changelog positions per store");
      writeAtomically(target.resolve(CONFIRMED), bytes.toByteArray());
      applyRetention(id);
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not confirm local checkpoint " + id + " in " + target
          + ": " + e.getMessage(), e);
    }
  }

  /** @return the newest confirmed checkpoint whose id is at most {@code maxId}, with its positions */
  synchronized Optional<LocalCheckpoint> newestConfirmed(long maxId) {
    try {
      for (Map.Entry<Long, Path> e : list().descendingMap().entrySet()) {
        if (e.getKey() <= maxId && Files.exists(e.getValue().resolve(CONFIRMED))) {
          return Optional.of(read(e.getKey(), e.getValue().resolve(CONFIRMED)));
        }
      }
      return Optional.empty();
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not read the local checkpoints in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Lays a copy of checkpoint {@code id} out as a database in {@code target} (which must not
   * exist): hard links for SST and blob files, copies for the rest.
   */
  synchronized void cloneInto(long id, Path target) {
    Path source = directory(id);
    try {
      Files.createDirectories(target);
      try (Stream<Path> files = Files.list(source)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          String name = f.getFileName().toString();
          if (name.equals(CONFIRMED) || name.startsWith(CONFIRMED)) {
            continue;
          }
          Path to = target.resolve(name);
          if (name.endsWith(".sst") || name.endsWith(".blob")) {
            link(f, to);
          } else {
            Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not open local checkpoint " + id + " from " + source
          + " into " + target + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every checkpoint newer than {@code maxId}: its commit never happened. */
  synchronized void dropNewerThan(long maxId) {
    try {
      for (Map.Entry<Long, Path> e : list().tailMap(maxId, false).entrySet()) {
        LOG.info("task {}: dropping local checkpoint {}, newer than the last committed checkpoint {}",
            task, e.getKey(), maxId);
        deleteTree(e.getValue());
      }
      deleteTemporaries();
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not clean the local checkpoints in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  private long newestConfirmedId() {
    try {
      for (Map.Entry<Long, Path> e : list().descendingMap().entrySet()) {
        if (Files.exists(e.getValue().resolve(CONFIRMED))) {
          return e.getKey();
        }
      }
      return Long.MIN_VALUE;
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** @return the ids of the checkpoints on disk, confirmed or not, in order */
  synchronized List<Long> ids() {
    try {
      return new ArrayList<>(list().keySet());
    } catch (IOException | UncheckedIOException e) {
      throw new StateException("task " + task + ": could not list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** @return whether checkpoint {@code id} is confirmed */
  synchronized boolean isConfirmed(long id) {
    return Files.exists(directory(id).resolve(CONFIRMED));
  }

  private void applyRetention(long confirmedId) throws IOException {
    int confirmedKept = 0;
    for (Map.Entry<Long, Path> e : list().descendingMap().entrySet()) {
      boolean confirmed = Files.exists(e.getValue().resolve(CONFIRMED));
      if (confirmed && confirmedKept < KEEP_CONFIRMED) {
        confirmedKept++;
      } else if (confirmed || e.getKey() < confirmedId) {
        deleteTree(e.getValue());
      }
    }
  }

  private LocalCheckpoint read(long id, Path file) throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    }
    Map<String, Long> positions = new HashMap<>();
    for (String name : props.stringPropertyNames()) {
      if (name.startsWith(POSITION)) {
        try {
          positions.put(name.substring(POSITION.length()), Long.parseLong(props.getProperty(name)));
        } catch (NumberFormatException e) {
          throw new StateException("task " + task + ": corrupt confirmation " + file + ": " + name + "="
              + props.getProperty(name) + " is not a position");
        }
      }
    }
    return new LocalCheckpoint(id, positions);
  }

  private TreeMap<Long, Path> list() throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      entries.forEach(p -> {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p)) {
          out.put(Long.parseLong(m.group(1)), p);
        }
      });
    }
    return out;
  }

  private void deleteTemporaries() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().endsWith(".tmp")) {
          deleteTree(p);
        }
      }
    }
  }

  private static void link(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (FileSystemException | UnsupportedOperationException e) {
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** Writes {@code bytes} to {@code file} so that the file either does not change or is complete. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(file.getParent());
  }

  private static void forceDirectory(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory for reading; the rename itself is atomic.
      LOG.debug("could not force directory {}: {}", directory, e.toString());
    }
  }

  /** Deletes a file or a directory tree; nothing when it does not exist. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
