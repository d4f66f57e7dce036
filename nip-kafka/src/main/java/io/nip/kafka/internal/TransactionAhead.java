package io.nip.kafka.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * The changelog producer's transaction that is open between two commits, into which tasks write
 * their output records ahead of the commit that ends it (as Kafka Streams' tasks send theirs while
 * they process): the commit then only adds the state changes, the task metadata and the offsets,
 * and a result no longer waits for its own produce round trips at the commit.
 *
 * <p>Why it is exact: a successful commit of checkpoint {@code c} opens the next transaction with
 * base {@code c}. No checkpoint is requested while a commit runs, so when it opens every running
 * task's last barrier is {@code c}, and everything such a task hands over before its next barrier
 * goes into the parts of the next commit (a part of an aborted checkpoint is carried into it too).
 * A task may write ahead only while its last barrier equals the base; once past its next barrier
 * its records belong to a later commit and are held as before. Its writes happen before it
 * acknowledges that barrier, hence before the commit that ends the transaction starts. Records
 * written ahead stay in their part: a commit that cannot end this transaction (it was abandoned,
 * a write failed, a part holding records of it is left out) aborts it and writes every record
 * itself. After a failed commit no transaction is opened until a commit succeeds, so records held
 * for a retry never land behind later ones.
 *
 * <p>Threading: {@link #write} is called by task threads concurrently (the producer is
 * thread-safe; the read lock keeps a write from racing {@link #close()}); {@link #open}, {@link
 * #close()} and {@link #abandon()} are called by the one thread that commits (or restores), under
 * the write lock.
 */
final class TransactionAhead {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** The open transaction's token, 0 when none is open. */
  private volatile long token;
  /** The checkpoint whose commit opened it. */
  private volatile long base;
  private long nextToken = 1;
  private KafkaProducer<byte[], byte[]> producer;
  /** The sends of records written ahead into the open transaction. */
  private final ConcurrentLinkedQueue<Future<RecordMetadata>> sends = new ConcurrentLinkedQueue<>();
  /** A write into the open transaction threw: the transaction cannot be committed. */
  private volatile boolean broken;

  /** What a commit found open: the token, its writes, and whether it can still be committed. */
  record Closed(long token, List<Future<RecordMetadata>> sends, boolean usable) {
    static final Closed NONE = new Closed(0, List.of(), false);

    /** @return true when a transaction was open (begun on the producer) */
    boolean open() {
      return token != 0;
    }
  }

  /**
   * Opens a transaction on {@code producer} (after a commit of checkpoint {@code base}); the caller
   * has begun it.
   *
   * @param producer the changelog's transactional producer, with a transaction begun
   * @param base the checkpoint just committed
   */
  void open(KafkaProducer<byte[], byte[]> producer, long base) {
    lock.writeLock().lock();
    try {
      this.producer = producer;
      this.base = base;
      this.sends.clear();
      this.broken = false;
      this.token = nextToken++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Keeps an open transaction without writes open for the next commit: the commit of {@code base}
   * wrote nothing (nothing changed), and the tasks are now past its barrier.
   *
   * @param closed what {@link #close()} returned
   * @param base the checkpoint that committed nothing
   * @return true when it was reopened; false when it had writes (the caller aborts it)
   */
  boolean reopen(Closed closed, long base) {
    if (!closed.open() || !closed.sends().isEmpty() || !closed.usable()) {
      return false;
    }
    lock.writeLock().lock();
    try {
      this.base = base;
      this.token = closed.token();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * @param barrier a task's last barrier
   * @return the open transaction's token when that task may write ahead, else 0
   */
  long tokenFor(long barrier) {
    long t = token;
    return t != 0 && base == barrier && !broken ? t : 0;
  }

  /**
   * Writes records ahead (see {@link io.nip.state.StateChangelog#writeAhead}).
   *
   * @param transaction the token the caller got
   * @param records the task's records
   * @param from the first to write
   * @return how many were written, -1 when the transaction is no longer open
   */
  int write(long transaction, List<Object> records, int from) {
    if (!lock.readLock().tryLock()) {
      return -1; // a commit or an abandon is closing it
    }
    try {
      if (transaction != token || broken) {
        return -1;
      }
      int written = 0;
      try {
        for (int i = from; i < records.size(); i++) {
          @SuppressWarnings("unchecked")
          ProducerRecord<byte[], byte[]> r = (ProducerRecord<byte[], byte[]>) records.get(i);
          sends.add(producer.send(r));
          written++;
        }
      } catch (KafkaException | IllegalStateException e) {
        broken = true; // the records not written go with the commit, which aborts this transaction
      }
      return written;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Closes the open transaction for writes ahead: a commit is about to end or abort it.
   *
   * @return the transaction that was open, or {@link Closed#NONE}
   */
  Closed close() {
    lock.writeLock().lock();
    try {
      long t = token;
      if (t == 0) {
        return Closed.NONE;
      }
      token = 0;
      Closed c = new Closed(t, new ArrayList<>(sends), !broken);
      sends.clear();
      return c;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * @param closed what {@link #close()} returned
   * @param part a part's record of what it wrote ahead
   * @return how many of the part's first output records the closed transaction holds, if the
   *     commit ends it (0 when they were written into another one)
   */
  static int heldBy(Closed closed, io.nip.state.StateChangelog.Ahead part) {
    return closed.usable() && part.transaction() == closed.token() ? part.records() : 0;
  }
}
