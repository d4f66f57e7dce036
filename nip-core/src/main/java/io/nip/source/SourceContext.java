package io.nip.source;

import io.micrometer.core.instrument.MeterRegistry;
import io.nip.time.NipClock;

/**
 * Runtime services handed to a source reader.
 *
 * @param pipelineName the pipeline's name
 * @param clock the pipeline's clock; readers that pace themselves must use it
 * @param meterRegistry where the reader may register its own metrics
 */
public record SourceContext(String pipelineName, NipClock clock, MeterRegistry meterRegistry) {}
