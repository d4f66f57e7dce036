/**
 * Facades with the tutorial's names ({@link io.nip.streaming.StreamProcessor},
 * {@link io.nip.streaming.StreamRouter}, {@link io.nip.streaming.StatefulProcessor},
 * {@link io.nip.streaming.IdempotentProcessor}, {@link io.nip.streaming.CheckpointManager}) for readers coming from the Python NIP. Each is a
 * thin builder that records the user's functions and, when applied, adds ordinary
 * {@link io.nip.pipeline.Stream} operators to a {@link io.nip.pipeline.Pipeline} (or, for the
 * checkpoint manager, settings to its {@link io.nip.pipeline.PipelineConfig}); they run on the
 * same engine, with the same error policies, metrics and test driver as the DSL.
 *
 * <pre>{@code
 * StreamProcessor.<UserEvent>named("filter_transform").filter(e -> e.priority() >= 5)
 *     .transform(Enricher::enrich).sink(Sinks.stdout("out")).start(source);
 * }</pre>
 */
package io.nip.streaming;
