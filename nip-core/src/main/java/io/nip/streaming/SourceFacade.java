package io.nip.streaming;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.pipeline.Stream;
import io.nip.source.Source;
import java.util.Objects;

/**
 * What every tutorial facade shares: it names a pipeline, reads one source and adds its operators
 * to the source's stream. Subclasses only say what they add ({@link #build}) and what must have
 * been configured first ({@link #checkComplete}); the engine work stays in the DSL.
 *
 * @param <T> the value type
 */
abstract class SourceFacade<T> {
  final String name;

  SourceFacade(String name) {
    this.name = name;
  }

  /** @param input the stream the facade's operators are added to */
  abstract void build(Stream<T> input);

  /** Throws a ConfigurationException when the facade cannot run yet. */
  abstract void checkComplete();

  /**
   * @param config the configuration given to {@link #pipeline(Source, PipelineConfig)}
   * @return the configuration the pipeline is built with (a facade may add its own settings)
   */
  PipelineConfig configure(PipelineConfig config) {
    return config;
  }

  /**
   * Builds, without starting, a pipeline named after this facade that reads {@code source}.
   *
   * @param source where records come from
   * @return the pipeline, ready for {@code start()} or a {@code PipelineTestDriver}
   */
  public Pipeline pipeline(Source<T> source) {
    return pipeline(source, PipelineConfig.defaults());
  }

  /**
   * @param source where records come from
   * @param config the pipeline's configuration (threads, error policy, clock ...)
   * @return the pipeline, not started
   */
  public Pipeline pipeline(Source<T> source, PipelineConfig config) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(config, "config");
    checkComplete();
    Pipeline p = Pipeline.named(name, configure(config));
    build(p.from(source));
    return p;
  }

  /**
   * Builds and starts a pipeline reading {@code source} with the default configuration.
   *
   * @param source where records come from
   * @return the running pipeline
   */
  public PipelineHandle start(Source<T> source) {
    return pipeline(source).start();
  }

  /**
   * @param source where records come from
   * @param config the pipeline's configuration
   * @return the running pipeline
   */
  public PipelineHandle start(Source<T> source, PipelineConfig config) {
    return pipeline(source, config).start();
  }
}
