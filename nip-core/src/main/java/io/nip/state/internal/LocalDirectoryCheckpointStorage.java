package io.nip.state.internal;

import io.nip.errors.ConfigurationException;
import io.nip.state.CheckpointStorage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * {@link CheckpointStorage} on a local (or mounted) file system.
 *
 * <p>Layout: {@code <dir>/chk-<id>/<task>.snapshot} per task; {@code <dir>/chk-<id>/_COMPLETED}
 * marks a complete checkpoint. Every file is written to a temporary name, forced to disk and
 * renamed atomically, and the directory is forced after the rename, so a SIGKILL at any point
 * leaves either the previous completed checkpoint or the new one as the latest, never a torn one.
 * Checkpoint directories without the marker are ignored and cleaned up later.
 *
 * <p>Threading: {@link #write} is called by several task threads at once for different files;
 * {@link #complete} by one thread at a time (the coordinator); both are safe.
 */
public final class LocalDirectoryCheckpointStorage implements CheckpointStorage {
  private static final String MARKER = "_COMPLETED";
  private final Path dir;
  private final int retained;

  /**
   * @param dir the directory, created if missing
   * @param retained how many completed checkpoints to keep, at least 1
   */
  public LocalDirectoryCheckpointStorage(Path dir, int retained) {
    this.dir = Objects.requireNonNull(dir, "directory").toAbsolutePath();
    if (retained < 1) {
      throw ConfigurationException.invalid("checkpoint retention", retained, "must be at least 1");
    }
    this.retained = retained;
    try {
      Files.createDirectories(this.dir);
    } catch (IOException e) {
      throw new ConfigurationException("checkpoint directory", "'" + this.dir + "' cannot be created: " + e);
    }
  }

  @Override
  public String name() {
    return "local-directory:" + dir;
  }

  private Path checkpointDir(long id) {
    return dir.resolve("chk-" + id);
  }

  /** A file name per task id, one to one: letters, digits, '-' and '.' stay; anything else is _hex_. */
  static String fileName(String taskId) {
    StringBuilder b = new StringBuilder(taskId.length() + 9);
    for (int i = 0; i < taskId.length(); i++) {
      char c = taskId.charAt(i);
      if ((c < 128 && Character.isLetterOrDigit(c)) || c == '-' || c == '.') {
        b.append(c);
      } else {
        b.append('_').append(Integer.toHexString(c)).append('_');
      }
    }
    return b.append(".snapshot").toString();
  }

  @Override
  public void write(long checkpointId, String taskId, byte[] snapshot) {
    Path target = checkpointDir(checkpointId).resolve(fileName(taskId));
    try {
      Files.createDirectories(target.getParent());
      writeAtomically(target, snapshot);
    } catch (IOException e) {
      throw new StorageFailure("checkpoint " + checkpointId + ": could not write " + target + ": " + e, e);
    }
  }

  @Override
  public void complete(long checkpointId) {
    Path cp = checkpointDir(checkpointId);
    try {
      Files.createDirectories(cp);
      writeAtomically(cp.resolve(MARKER), Long.toString(checkpointId).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      forceDirectory(dir);
    } catch (IOException e) {
      throw new StorageFailure("checkpoint " + checkpointId + ": could not complete " + cp + ": " + e, e);
    }
    prune(checkpointId);
  }

  @Override
  public OptionalLong latestCompleted() {
    List<Long> ids = checkpointIds();
    for (int i = ids.size() - 1; i >= 0; i--) {
      if (Files.exists(checkpointDir(ids.get(i)).resolve(MARKER))) {
        return OptionalLong.of(ids.get(i));
      }
    }
    return OptionalLong.empty();
  }

  @Override
  public byte[] read(long checkpointId, String taskId) {
    Path file = checkpointDir(checkpointId).resolve(fileName(taskId));
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new StorageFailure("checkpoint " + checkpointId + ": could not read " + file + ": " + e, e);
    }
  }

  private List<Long> checkpointIds() {
    List<Long> ids = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "chk-*")) {
      for (Path p : s) {
        try {
          ids.add(Long.parseLong(p.getFileName().toString().substring(4)));
        } catch (NumberFormatException ignored) {
          // not ours
        }
      }
    } catch (IOException e) {
      throw new StorageFailure("could not list checkpoints in " + dir + ": " + e, e);
    }
    ids.sort(Comparator.naturalOrder());
    return ids;
  }

  /** Deletes completed checkpoints beyond the retention and incomplete ones older than the latest. */
  private void prune(long latest) {
    int kept = 0;
    List<Long> ids = checkpointIds();
    for (int i = ids.size() - 1; i >= 0; i--) {
      long id = ids.get(i);
      if (id > latest) {
        continue;
      }
      boolean completed = Files.exists(checkpointDir(id).resolve(MARKER));
      if (completed && kept < retained) {
        kept++;
      } else {
        deleteTree(checkpointDir(id));
      }
    }
  }

  /** Deletes a checkpoint directory, its marker first: a crash half-way leaves it incomplete, never torn. */
  private static void deleteTree(Path p) {
    try {
      Files.deleteIfExists(p.resolve(MARKER));
    } catch (IOException e) {
      return; // still marked: keep it whole, a later prune retries
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(f -> {
        try {
          Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // a later prune retries
        }
      });
    } catch (IOException ignored) {
      // a later prune retries
    }
  }

  private static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(target.getParent());
  }

  private static void forceDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // some file systems cannot open directories; the rename is still atomic there
    }
  }
}
