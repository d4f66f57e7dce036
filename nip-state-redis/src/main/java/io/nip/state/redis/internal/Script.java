package io.nip.state.redis.internal;

/**
 * The Lua scripts that make every multi-key step atomic on the server.
 *
 * <p>Why scripts and not MULTI/EXEC: a transaction does not stop at a failing command (a key of
 * the wrong type fails alone, the commands after it still run), and it cannot read a value and
 * decide on it. A script checks every key it will write first and returns an error before its
 * first write, so a refused commit leaves nothing half-applied; Redis runs it with no other command
 * in between and writes its effects to the AOF and to replicas as one MULTI/EXEC block.
 *
 * <p>Encodings shared with {@link Op}: the field of an entry in a staging hash is {@code 'k' + key};
 * the field {@code "c"} marks an epoch that starts by clearing the store (a restore). An operation
 * is {@code 'P' + deadline + ':' + value} (put) or {@code 'D' + deadline + ':'} (delete), the
 * deadline being the wall-clock epoch millisecond at which the entry expires, in ASCII, or
 * {@code '-'} for none. Entry {@code key} of a store lives at {@code base + ':' + key}; the store's
 * index, a set of its keys, at {@code base}.
 *
 * <p>Scripts touch keys they derive from {@code base} without declaring them: they run on a
 * standalone server (or a primary with replicas), not on Redis Cluster.
 */
enum Script {
  /**
   * Reads one entry through the uncommitted epochs (newest first) and then the live key.
   * KEYS: staging hashes newest first, then the live key. ARGV[1]: the field.
   * Reply: nil (absent or cleared), {"S", op} from an epoch, or {"L", value, pttl} from the live key.
   */
  READ("""
      for i = 1, #KEYS - 1 do
        local op = redis.call('HGET', KEYS[i], ARGV[1])
        if op then return {'S', op} end
        if redis.call('HEXISTS', KEYS[i], 'c') == 1 then return false end
      end
      local live = KEYS[#KEYS]
      local v = redis.call('GET', live)
      if not v then return false end
      return {'L', v, redis.call('PTTL', live)}
      """),

  /**
   * Applies a batch of operations to the live keys of one store.
   * KEYS[1]: the index. ARGV: base, now (wall-clock ms), clear first ("1"/"0"), then field/op pairs.
   * Reply: the number of operations.
   */
  APPLY(Lua.COMMON + """
      local err = check_type(KEYS[1], 'set')
      if err then return err end
      local base, now = ARGV[1], tonumber(ARGV[2])
      if ARGV[3] == '1' then clear(base, KEYS[1]) end
      for i = 4, #ARGV, 2 do
        apply_op(base, KEYS[1], now, ARGV[i], ARGV[i + 1])
      end
      return (#ARGV - 3) / 2
      """),

  /**
   * One step of removing index members whose key Redis expired.
   * KEYS[1]: the index. ARGV: base, cursor, count. Reply: {next cursor, removed}.
   */
  PURGE("""
      local r = redis.call('SSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
      local removed = 0
      for _, m in ipairs(r[2]) do
        if redis.call('EXISTS', ARGV[1] .. ':' .. m) == 0 then
          redis.call('SREM', KEYS[1], m)
          removed = removed + 1
        end
      end
      return {r[1], removed}
      """),

  /**
   * Stores one task's part of a checkpoint that is newer than the latest completed one.
   * KEYS: latest, written (zset), the checkpoint's parts hash. ARGV: id, task, bytes.
   */
  WRITE_PART("""
      local latest = redis.call('GET', KEYS[1])
      if latest and tonumber(latest) >= tonumber(ARGV[1]) then
        return redis.error_reply('checkpoint ' .. ARGV[1] .. ' is not newer than the latest completed checkpoint '
            .. latest .. ': a completed checkpoint is never changed')
      end
      redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])
      redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
      return 1
      """),

  /**
   * Completes a checkpoint: applies the staged store writes it claims, marks it the latest
   * completed one and drops checkpoints beyond the retention, all or nothing.
   * KEYS: latest, completed (zset), written (zset), the checkpoint's parts hash, then per staged
   * epoch (oldest first) its staging hash, its store's index and its store's staging registry.
   * ARGV: id, retained, now (wall-clock ms), parts key prefix, then per epoch its store's base.
   */
  COMMIT(Lua.COMMON + """
      local id = tonumber(ARGV[1])
      local latest = redis.call('GET', KEYS[1])
      if latest and tonumber(latest) >= id then
        return redis.error_reply('checkpoint ' .. ARGV[1] .. ' is not newer than the latest completed checkpoint '
            .. latest)
      end
      if redis.call('EXISTS', KEYS[4]) == 0 then
        return redis.error_reply('checkpoint ' .. ARGV[1] .. ' has no part written: nothing to complete')
      end
      local err = check_type(KEYS[2], 'zset') or check_type(KEYS[3], 'zset')
      if err then return err end
      local epochs = (#KEYS - 4) / 3
      for i = 0, epochs - 1 do
        err = check_type(KEYS[5 + 3 * i], 'hash') or check_type(KEYS[6 + 3 * i], 'set')
            or check_type(KEYS[7 + 3 * i], 'set')
        if err then return err end
      end
      local now = tonumber(ARGV[3])
      for i = 0, epochs - 1 do
        local staging, index = KEYS[5 + 3 * i], KEYS[6 + 3 * i]
        local base = ARGV[5 + i]
        local flat = redis.call('HGETALL', staging)
        if redis.call('HEXISTS', staging, 'c') == 1 then clear(base, index) end
        for j = 1, #flat, 2 do
          if flat[j] ~= 'c' then apply_op(base, index, now, flat[j], flat[j + 1]) end
        end
        redis.call('DEL', staging)
        redis.call('SREM', KEYS[7 + 3 * i], staging)
      end
      redis.call('SET', KEYS[1], ARGV[1])
      redis.call('ZADD', KEYS[2], id, ARGV[1])
      redis.call('ZADD', KEYS[3], id, ARGV[1])
      local retained = tonumber(ARGV[2])
      local keep = {}
      local completed = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', '-inf')
      for i = 1, #completed do
        if i <= retained then keep[completed[i]] = true else redis.call('ZREM', KEYS[2], completed[i]) end
      end
      for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', id)) do
        if not keep[old] then
          redis.call('DEL', ARGV[4] .. old)
          redis.call('ZREM', KEYS[3], old)
        end
      end
      return epochs
      """);

  private final String source;

  Script(String source) {
    this.source = source;
  }

  /** @return the Lua source */
  String source() {
    return source;
  }

  /** Functions shared by the writing scripts. */
  private static final class Lua {
    static final String COMMON = """
        local function check_type(key, expected)
          local t = redis.call('TYPE', key)['ok']
          if t ~= 'none' and t ~= expected then
            return redis.error_reply('key ' .. key .. ' holds a ' .. t .. ' where a ' .. expected
                .. ' (or nothing) was expected; nothing was written')
          end
          return nil
        end
        local function clear(base, index)
          local members = redis.call('SMEMBERS', index)
          local batch = {}
          for i = 1, #members do
            batch[#batch + 1] = base .. ':' .. members[i]
            if #batch == 500 then
              redis.call('DEL', unpack(batch))
              batch = {}
            end
          end
          if #batch > 0 then redis.call('DEL', unpack(batch)) end
          redis.call('DEL', index)
        end
        local function apply_op(base, index, now, field, op)
          local key = string.sub(field, 2)
          local live = base .. ':' .. key
          if string.sub(op, 1, 1) == 'P' then
            local sep = string.find(op, ':', 2, true)
            local deadline = string.sub(op, 2, sep - 1)
            local value = string.sub(op, sep + 1)
            if deadline == '-' then
              redis.call('SET', live, value)
              redis.call('SADD', index, key)
              return
            end
            local px = tonumber(deadline) - now
            if px > 0 then
              redis.call('SET', live, value, 'PX', string.format('%d', px))
              redis.call('SADD', index, key)
              return
            end
          end
          redis.call('DEL', live)
          redis.call('SREM', index, key)
        end
        """;
  }
}
