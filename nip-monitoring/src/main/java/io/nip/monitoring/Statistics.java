package io.nip.monitoring;

import java.time.Duration;
import java.util.Optional;

/**
 * The tutorial's pipeline statistics, as {@link MetricsCollector#statistics()} computes them from the
 * engine's meters.
 *
 * @param eventsPerSecond records read by all sources per second since the previous
 *     {@code statistics()} call (or since the collector was built)
 * @param latencyP50 median end-to-end (event-time) latency at sinks, over the latency timers'
 *     recent window; empty before a sink wrote a sampled record
 * @param latencyP99 99th percentile of the same latency; empty likewise
 * @param errorRate records whose processing failed per record read, over the same interval as
 *     {@code eventsPerSecond}, from 0 to 1
 */
public record Statistics(double eventsPerSecond, Optional<Duration> latencyP50, Optional<Duration> latencyP99,
    double errorRate) {}
