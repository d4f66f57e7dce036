package io.nip.backpressure;

import java.time.Duration;

/**
 * A snapshot of a pipeline's source buffers, summed over its source partitions (the tutorial's
 * {@code get_buffer_stats()}).
 *
 * <pre>{@code
 * BufferStats s = pipeline.bufferStats();
 * System.out.printf("Buffer: %d/%d (%.1f%%)%n", s.size(), s.capacity(), s.utilization() * 100);
 * }</pre>
 *
 * @param size records buffered now
 * @param capacity records the buffers hold at most (buffer size times source partitions)
 * @param utilization {@code size / capacity}, 0 to 1 (0 when there is no buffer yet)
 * @param dropped records dropped by a {@code DROP_*} strategy since the pipeline started
 * @param timeBlocked how long sources were not read because their buffer was full under
 *     {@code BLOCK}, summed over partitions (millisecond precision)
 */
public record BufferStats(long size, long capacity, double utilization, long dropped, Duration timeBlocked) {
  /** @return the time blocked in milliseconds */
  public long timeBlockedMillis() {
    return timeBlocked.toMillis();
  }
}
