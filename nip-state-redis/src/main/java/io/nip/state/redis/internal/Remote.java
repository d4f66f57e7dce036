package io.nip.state.redis.internal;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Redis side of one store, on serialized keys and values: batched writes, reads through the
 * uncommitted epochs, enumeration, expiry clean-up. {@link RedisKeyValueStore} puts the serdes,
 * the write buffer and the cache in front of it.
 *
 * <p>Two modes. <b>Direct</b> (no log): a batch is applied to the live keys at once by one
 * {@link Script#APPLY} call (atomic per batch). <b>Staged</b> (a {@link StagedLog}): a batch goes to
 * the log's open epoch, a staging hash, and reaches the live keys only when a checkpoint that
 * claims the epoch completes; reads and enumerations see the live keys with the uncommitted epochs
 * laid over them, so the store reads its own writes either way.
 *
 * <p>Consistency of reads in staged mode: {@link Script#READ} reads the epochs and the live key in
 * one script; an epoch committed just before it ran no longer exists and its writes are in the live
 * keys, so the result is the same either way. An enumeration needs several calls and holds the
 * log's lock throughout, which keeps commits of this store out.
 *
 * <p>Threading: used by the store's task thread only.
 */
final class Remote {
  private static final byte[] ZERO_CURSOR = {'0'};
  private static final int SCAN_COUNT = 1000;
  private final RedisLink link;
  private final RedisAsyncCommands<byte[], byte[]> async;
  private final byte[] base;
  private final byte[] registry;
  private final StagedLog log;
  private final boolean ttl;
  private final Clock wallClock;
  private final String what;
  private byte[] purgeCursor = ZERO_CURSOR;

  /** A stored value with its wall-clock deadline ({@link Long#MAX_VALUE} for none). */
  record Value(byte[] bytes, long deadline) {}

  /** Serialized keys as map keys. */
  record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(bytes, ((Key) o).bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /**
   * @param link the connection
   * @param base the store's base key
   * @param log the store's log when it stages, else null
   * @param firstPlacement delete the store's leftover staging hashes (first placement of the base in
   *     this backend)
   * @param ttl whether entries carry a TTL (their remaining time is read back for snapshots)
   * @param wallClock the clock deadlines are measured on
   */
  Remote(RedisLink link, String base, StagedLog log, boolean firstPlacement, boolean ttl, Clock wallClock) {
    this.link = link;
    this.async = link.async();
    this.base = KeyLayout.utf8(base);
    this.registry = KeyLayout.utf8(base + "~staged");
    this.log = log;
    this.ttl = ttl;
    this.wallClock = wallClock;
    this.what = "store " + base;
    if (firstPlacement) {
      dropLeftovers();
    }
  }

  private void dropLeftovers() {
    Set<byte[]> leftovers = link.await(async.smembers(registry), what + ": listing staging hashes");
    List<RedisFuture<?>> dels = new ArrayList<>();
    for (byte[] staging : leftovers) {
      dels.add(async.del(staging));
    }
    dels.add(async.del(registry));
    link.awaitAll(dels, what + ": deleting uncommitted writes of an earlier run");
  }

  /** @return true when writes wait for a checkpoint to commit them */
  boolean staged() {
    return log != null;
  }

  /**
   * Writes a batch.
   *
   * @param clearFirst the store is emptied before the batch applies (a restore)
   * @param fieldsAndOps field, operation, field, operation, ... ({@link Op})
   */
  void write(boolean clearFirst, List<byte[]> fieldsAndOps) {
    if (log == null) {
      byte[][] args = new byte[3 + fieldsAndOps.size()][];
      args[0] = base;
      args[1] = Long.toString(wallClock.millis()).getBytes(StandardCharsets.US_ASCII);
      args[2] = new byte[] {(byte) (clearFirst ? '1' : '0')};
      for (int i = 0; i < fieldsAndOps.size(); i++) {
        args[3 + i] = fieldsAndOps.get(i);
      }
      link.<Long>eval(Script.APPLY, ScriptOutputType.INTEGER, new byte[][] {base}, args, what + ": writing a batch");
      return;
    }
    StagedLog.Epoch epoch = log.openEpoch(clearFirst);
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    if (clearFirst) {
      fields.put(Op.CLEAR_FIELD, Op.CLEAR_VALUE);
    }
    for (int i = 0; i < fieldsAndOps.size(); i += 2) {
      fields.put(fieldsAndOps.get(i), fieldsAndOps.get(i + 1));
    }
    List<RedisFuture<?>> futures = new ArrayList<>(2);
    futures.add(async.sadd(registry, epoch.key));
    if (!fields.isEmpty()) {
      futures.add(async.hset(epoch.key, fields));
    }
    link.awaitAll(futures, what + ": staging a batch");
  }

  /**
   * @param key a serialized key
   * @return its value with its deadline, or null when absent, deleted or expired
   */
  Value read(byte[] key) {
    byte[][] chain = log == null ? new byte[0][] : log.readChain();
    byte[][] keys = Arrays.copyOf(chain, chain.length + 1);
    keys[chain.length] = KeyLayout.entry(base, key);
    List<Object> reply = link.eval(Script.READ, ScriptOutputType.MULTI, keys, new byte[][] {Op.field(key)},
        what + ": reading a key");
    if (reply == null || reply.isEmpty() || reply.get(0) == null) {
      return null; // a script's false arrives as one nil element
    }
    long now = wallClock.millis();
    if ("S".equals(text(reply.get(0)))) {
      Value v = Op.decode((byte[]) reply.get(1));
      return v == null || v.deadline() <= now ? null : v;
    }
    long pttl = (Long) reply.get(2);
    if (pttl == -2) {
      return null;
    }
    return new Value((byte[]) reply.get(1), pttl < 0 ? Long.MAX_VALUE : now + pttl);
  }

  private static String text(Object o) {
    return o instanceof byte[] ? new String((byte[]) o, StandardCharsets.UTF_8) : String.valueOf(o);
  }

  /**
   * Every live entry: the live keys with the uncommitted epochs laid over them. Holds the log's lock
   * (staged mode) so that no commit of this store runs in between.
   *
   * @return the entries by serialized key
   */
  Map<Key, Value> enumerate() {
    if (log == null) {
      return readLive();
    }
    log.lock.lock();
    try {
      Map<Key, Value> entries = readLive();
      for (byte[] epoch : log.oldestFirst()) {
        overlay(entries, link.await(async.hgetall(epoch), what + ": reading staged writes"));
      }
      return entries;
    } finally {
      log.lock.unlock();
    }
  }

  private void overlay(Map<Key, Value> entries, Map<byte[], byte[]> staged) {
    long now = wallClock.millis();
    for (byte[] field : staged.keySet()) {
      if (Arrays.equals(field, Op.CLEAR_FIELD)) {
        entries.clear();
      }
    }
    for (Map.Entry<byte[], byte[]> e : staged.entrySet()) {
      if (Arrays.equals(e.getKey(), Op.CLEAR_FIELD)) {
        continue;
      }
      Key k = new Key(Arrays.copyOfRange(e.getKey(), 1, e.getKey().length));
      Value v = Op.decode(e.getValue());
      if (v == null || v.deadline() <= now) {
        entries.remove(k);
      } else {
        entries.put(k, v);
      }
    }
  }

  private Map<Key, Value> readLive() {
    Map<Key, Value> entries = new HashMap<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    ScanArgs args = ScanArgs.Builder.limit(SCAN_COUNT);
    do {
      ValueScanCursor<byte[]> page = link.await(async.sscan(base, cursor, args), what + ": listing keys");
      fetch(page.getValues(), entries);
      cursor = page;
    } while (!cursor.isFinished());
    return entries;
  }

  private void fetch(List<byte[]> members, Map<Key, Value> into) {
    if (members.isEmpty()) {
      return;
    }
    byte[][] keys = new byte[members.size()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = KeyLayout.entry(base, members.get(i));
    }
    RedisFuture<List<KeyValue<byte[], byte[]>>> values = async.mget(keys);
    List<RedisFuture<Long>> ttls = new ArrayList<>(ttl ? keys.length : 0);
    if (ttl) {
      for (byte[] k : keys) {
        ttls.add(async.pttl(k));
      }
    }
    List<KeyValue<byte[], byte[]>> got = link.await(values, what + ": reading values");
    long now = wallClock.millis();
    for (int i = 0; i < keys.length; i++) {
      KeyValue<byte[], byte[]> kv = got.get(i);
      long deadline = Long.MAX_VALUE;
      if (ttl) {
        long pttl = link.await(ttls.get(i), what + ": reading TTLs");
        if (pttl == -2) {
          continue; // expired between the two reads
        }
        deadline = pttl < 0 ? Long.MAX_VALUE : now + pttl;
      }
      if (kv.hasValue()) {
        into.put(new Key(members.get(i)), new Value(kv.getValue(), deadline));
      }
    }
  }

  /**
   * One step of removing index members whose entry Redis expired; the entries themselves are gone
   * already (Redis expiry).
   *
   * @return how many members were removed
   */
  int purgeStep() {
    List<Object> reply = link.eval(Script.PURGE, ScriptOutputType.MULTI, new byte[][] {base},
        new byte[][] {base, purgeCursor, Integer.toString(SCAN_COUNT).getBytes(StandardCharsets.US_ASCII)},
        what + ": removing expired keys from its index");
    purgeCursor = (byte[]) reply.get(0);
    return ((Long) reply.get(1)).intValue();
  }

  /** @return the index's size plus the staged writes, an upper bound that counts expired entries */
  long approximateSize() {
    long n = link.await(async.scard(base), what + ": counting keys");
    if (log != null) {
      for (byte[] epoch : log.oldestFirst()) {
        n += link.await(async.hlen(epoch), what + ": counting staged writes");
      }
    }
    return n;
  }

  /** Ends the open epoch (staged mode): writes from now on belong to a later checkpoint. */
  void seal() {
    if (log != null) {
      log.seal();
    }
  }
}
