package io.nip.kafka.internal;

import io.nip.event.Headers;
import io.nip.serde.Serde;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads one partition's buffer on the task thread: deserializes values (a failure goes to the
 * error policy with the raw bytes and offset), emits with the record's key (its bytes, or what the
 * key serde made of them), headers and timestamp, and reports the position of the next record.
 * After a reassignment it starts again from the fetcher's position. A reader created at a position
 * (a checkpoint's) reports that position until its partition is assigned here, and reads nothing
 * before the fetcher has moved the partition there.
 *
 * <p>Allocation: offsets stay primitive ({@link SourceOutput}'s long form); a record without
 * headers shares {@link Headers#EMPTY}; key bytes are passed on as the consumer made them.
 */
final class KafkaPartitionReader<T> implements SourceReader<T> {
  private final KafkaFetcher fetcher;
  private final PartitionBuffer buf;
  private final Serde<T> serde;
  private final Serde<?> keySerde;
  /** Makes a value of a tombstone's key, or null: tombstones are bad input. */
  private final java.util.function.Function<Object, ? extends T> tombstones;
  private final boolean bounded;
  private List<ConsumerRecord<byte[], byte[]>> current;
  private int index;
  private long next = NO_POSITION;
  private int epoch = -1;
  /** A list of a new assignment was taken from the buffer during a read and waits in {@link #current}. */
  private boolean reassignedDuringRead;
  private boolean closed;

  KafkaPartitionReader(KafkaFetcher fetcher, PartitionBuffer buf, Serde<T> serde, Serde<?> keySerde,
      java.util.function.Function<Object, ? extends T> tombstones, boolean bounded, long startOffset) {
    this.tombstones = tombstones;
    this.fetcher = fetcher;
    this.next = startOffset < 0 ? NO_POSITION : startOffset;
    this.buf = buf;
    this.serde = serde;
    this.keySerde = keySerde;
    this.bounded = bounded;
  }

  @Override
  public Status poll(SourceOutput<T> output, int maxRecords) {
    fetcher.checkHealthy();
    if (!buf.assigned) {
      current = null;
      if (bounded && (buf.ended || fetcher.endedElsewhere(buf))) {
        buf.ended = true;
        return Status.END_OF_INPUT;
      }
      return Status.NOTHING_AVAILABLE;
    }
    if (buf.requestedStart.get() >= 0) {
      return Status.NOTHING_AVAILABLE; // the fetcher has not moved the partition to this reader's start yet
    }
    int e = buf.epoch.get();
    if (e != epoch) {
      epoch = e;
      if (!reassignedDuringRead) {
        current = null;
      }
      reassignedDuringRead = false;
      next = buf.startPosition;
      return Status.ASSIGNED; // nothing of the new assignment is emitted before the task saw this
    }
    if (bounded && next >= buf.endOffset) {
      buf.ended = true;
      return Status.END_OF_INPUT;
    }
    int emitted = 0;
    while (emitted < maxRecords) {
      if (current == null || index >= current.size()) {
        // read before the queue: every record before this position is already queued
        long fetched = buf.fetchedPosition;
        PartitionBuffer.Fetched f = buf.queue.poll();
        current = null;
        index = 0;
        if (f == null) {
          if (bounded && fetched >= buf.endOffset && next < buf.endOffset && buf.assigned
              && buf.epoch.get() == epoch) {
            // only transaction markers are left before the end offset
            next = buf.endOffset;
          }
          break;
        }
        // the whole list leaves the buffer now: one atomic update per fetched list, not per record
        int left = buf.buffered.addAndGet(-f.records().size());
        if (buf.paused && left < fetcher.resumeBelow()) {
          fetcher.signal();
        }
        int latest = buf.epoch.get();
        if (f.epoch() != latest) {
          continue; // fetched in an earlier assignment: the committed offset replays these records
        }
        current = f.records();
        if (epoch != latest) {
          // the partition was revoked and assigned again during this read: the next poll reports the
          // assignment and starts at its new position with this list
          reassignedDuringRead = true;
          break;
        }
      }
      ConsumerRecord<byte[], byte[]> r = current.get(index++);
      if (r.offset() < next) {
        continue;
      }
      if (bounded && r.offset() >= buf.endOffset) {
        next = buf.endOffset;
        break;
      }
      next = r.offset() + 1;
      emitted++;
      byte[] raw = r.value();
      T value;
      Object key;
      Headers headers = headersOf(r);
      try {
        key = keySerde == null || r.key() == null ? r.key() : keySerde.deserialize(r.key());
        if (raw == null && tombstones != null) {
          if (key == null) {
            throw new io.nip.errors.SerializationException("a tombstone without a key deletes nothing", null, null);
          }
          value = tombstones.apply(key);
          if (value == null) {
            throw new io.nip.errors.SerializationException("the tombstone function returned null for key " + key,
                null, null);
          }
        } else {
          value = serde.deserialize(raw, headers);
          if (value == null) {
            throw new io.nip.errors.SerializationException("record value is null (a tombstone)", raw, null);
          }
        }
      } catch (RuntimeException ex) {
        output.fail(raw, headers, r.offset(), ex);
        continue;
      }
      output.emit(value, key, headers, raw, r.offset(), r.timestamp());
    }
    if (bounded && next >= buf.endOffset) {
      buf.ended = true;
      return Status.END_OF_INPUT;
    }
    return emitted > 0 ? Status.MORE_AVAILABLE : Status.NOTHING_AVAILABLE;
  }

  private static Headers headersOf(ConsumerRecord<byte[], byte[]> r) {
    Header[] all = r.headers().toArray(); // a shared empty array when the record has no headers
    if (all.length == 0) {
      return Headers.EMPTY;
    }
    Headers.Builder b = Headers.builder();
    for (Header h : all) {
      b.add(h.key(), h.value());
    }
    return b.build();
  }

  /** @return the assignment epoch this reader last reported ({@link Status#ASSIGNED}), or -1 before the first */
  @Override
  public long assignment() {
    return epoch;
  }

  @Override
  public void onAvailable(Runnable listener) {
    buf.onAvailable = listener;
  }

  @Override
  public boolean isAssigned() {
    return buf.assigned || !fetcher.ownedElsewhere(buf);
  }

  @Override
  public SourcePosition position() {
    return next < 0 ? SourcePosition.NONE : SourcePosition.ofOffset(next);
  }

  @Override
  public void commit(long position) {
    if (position >= 0 && position != buf.pendingCommit) {
      buf.pendingCommit = position;
      fetcher.signal();
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      fetcher.readerClosed();
    }
  }
}
