package io.nip.kinesis.internal;

/*
 * The writer of one task of a KinesisSink: batches records into PutRecords calls.
 *
 * Limits (Kinesis Data Streams): at most 500 records and 5 MiB per call, at most 1 MiB per record
 * (data plus partition key), partition keys of 1 to 256 characters. A batch is sent when the next
 * record would cross a limit, and at flush; a record that alone exceeds 1 MiB, or a key outside 1 to
 * 256 characters, is refused at write with an exception naming the size, so the pipeline's error
 * policy sees it and nothing is dropped silently.
 *
 * Failures: PutRecords reports per record; only the failed records are sent again (in their order),
 * with exponential backoff, as is a whole call refused for throughput or a failed call. After
 * maxAttempts the flush fails with a ConnectorException naming the first error code, so the
 * checkpoint does not complete and the records are replayed (at-least-once). A retried record may
 * land after a later record of the same key that succeeded at once.
 *
 * Threading: one task thread, as SinkWriter requires.
 */

import io.nip.errors.ConnectorException;
import io.nip.serde.Serde;
import io.nip.sink.SinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Batches records of one task into PutRecords calls.
 *
 * @param <T> the value type
 */
public final class PutRecordsWriter<T> implements SinkWriter<T> {
  /** Most records in one PutRecords call. */
  public static final int MAX_RECORDS_PER_CALL = 500;
  /** Most bytes of one record: data plus partition key. */
  public static final int MAX_RECORD_BYTES = 1024 * 1024;
  /** Most bytes of one PutRecords call. */
  public static final int MAX_CALL_BYTES = 5 * 1024 * 1024;

  private final KinesisClient client;
  private final String stream;
  private final String sinkName;
  private final Serde<T> serde;
  private final Function<? super T, String> partitionKey;
  private final int maxRecords;
  private final int maxAttempts;
  private final List<PutRecordsRequestEntry> pending = new ArrayList<>();
  private long pendingBytes;
  private long retried;

  /**
   * @param client the task's client, closed with the writer
   * @param stream the stream
   * @param sinkName the sink's name, for messages
   * @param serde turns values into record data
   * @param partitionKey the partition key of a value (never null)
   * @param maxRecords records per call, 1 to 500
   * @param maxAttempts attempts per record before the flush fails
   */
  public PutRecordsWriter(KinesisClient client, String stream, String sinkName, Serde<T> serde,
      Function<? super T, String> partitionKey, int maxRecords, int maxAttempts) {
    this.client = client;
    this.stream = stream;
    this.sinkName = sinkName;
    this.serde = serde;
    this.partitionKey = partitionKey;
    this.maxRecords = maxRecords;
    this.maxAttempts = maxAttempts;
  }

  @Override
  public void write(T value) {
    byte[] data = serde.serialize(value);
    String key = partitionKey.apply(value);
    if (key == null || key.isEmpty() || key.length() > 256) {
      throw new ConnectorException("kinesis sink '" + sinkName + "': a partition key has 1 to 256 characters, got "
          + (key == null ? "null" : key.length() + " characters"));
    }
    int size = data.length + key.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_RECORD_BYTES) {
      throw new ConnectorException("kinesis sink '" + sinkName + "': a record of " + size
          + " bytes (data + partition key) exceeds Kinesis's limit of " + MAX_RECORD_BYTES + " bytes");
    }
    if (pending.size() >= maxRecords || pendingBytes + size > MAX_CALL_BYTES) {
      send();
    }
    pending.add(PutRecordsRequestEntry.builder().partitionKey(key)
        .data(SdkBytes.fromByteArrayUnsafe(data)).build());
    pendingBytes += size;
  }

  @Override
  public void flush() {
    send();
  }

  /** @return how many records were sent again after a per-record failure or a failed call */
  public long retried() {
    return retried;
  }

  private void send() {
    List<PutRecordsRequestEntry> batch = new ArrayList<>(pending);
    pending.clear();
    pendingBytes = 0;
    long backoff = 50;
    String lastError = null;
    for (int attempt = 1; !batch.isEmpty(); attempt++) {
      if (attempt > maxAttempts) {
        throw new ConnectorException("kinesis sink '" + sinkName + "': " + batch.size() + " records to stream '"
            + stream + "' still failed after " + maxAttempts + " attempts; last error: " + lastError);
      }
      if (attempt > 1) {
        retried += batch.size();
        sleep(backoff);
        backoff = Math.min(5_000, backoff * 2);
      }
      PutRecordsResponse r;
      try {
        r = client.putRecords(PutRecordsRequest.builder().streamName(stream).records(batch).build());
      } catch (ResourceNotFoundException e) {
        throw new ConnectorException("kinesis sink '" + sinkName + "': stream '" + stream + "' not found", e);
      } catch (SdkException e) {
        lastError = e.getMessage();
        continue;
      }
      if (r.failedRecordCount() == null || r.failedRecordCount() == 0) {
        return;
      }
      List<PutRecordsRequestEntry> failed = new ArrayList<>();
      List<PutRecordsResultEntry> results = r.records();
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i).errorCode() != null) {
          failed.add(batch.get(i));
          lastError = results.get(i).errorCode() + ": " + results.get(i).errorMessage();
        }
      }
      batch = failed;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectorException("interrupted while retrying PutRecords", e);
    }
  }

  @Override
  public void close() {
    try {
      send();
    } finally {
      client.close();
    }
  }
}
