package io.nip.examples;

import io.nip.errors.DeadLetter;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.source.Source;
import java.util.function.Function;

/**
 * Where an exercise's job reads its input and writes its results and dead letters when it does not
 * run on Kafka: the tutorial's "Streaming Architectures" feed the same pipeline from Kafka, Kinesis
 * or Pub/Sub. A job builder given a platform ({@code AnalyticsPipeline.builder(platform)}) builds
 * the same parse → filter → window → aggregate steps over {@link #source}, and writes to
 * {@link #sink} and {@link #deadLetters} instead of the Kafka topics; the builder's Kafka settings
 * (group id, consumer and producer properties, instance id) do not apply. Streams are named by the
 * builder's topic names ({@code inputTopic}, {@code outputTopic}, {@code deadLetterTopic}).
 *
 * <pre>{@code
 * AnalyticsPipeline job = AnalyticsPipeline.builder(kinesisPlatform).bounded().build();
 * job.start().awaitTermination();
 * }</pre>
 *
 * <p>Only {@code AT_LEAST_ONCE} output is offered on a platform: exactly-once needs the Kafka
 * transaction that the Kafka job builders use.
 */
public interface StreamingPlatform {
  /** @return the platform's name, e.g. {@code kinesis}, used in messages */
  String name();

  /**
   * @param stream the input stream, topic or subscription
   * @param parser the job's strict parser of input records
   * @param bounded whether the source ends once it has read what the stream holds now
   * @param <T> the event type
   * @return the job's input
   */
  <T> Source<T> source(String stream, Serde<T> parser, boolean bounded);

  /**
   * @param stream the results stream or topic
   * @param serde the results' JSON
   * @param key the partition or ordering key of a result
   * @param <R> the result type
   * @return the results' sink on the platform
   */
  <R> Sink<R> sink(String stream, Serde<R> serde, Function<? super R, String> key);

  /**
   * @param stream the dead-letter stream or topic
   * @return the dead letters' sink on the platform (e.g. {@link DeadLetterJson} records)
   */
  Sink<DeadLetter> deadLetters(String stream);
}
