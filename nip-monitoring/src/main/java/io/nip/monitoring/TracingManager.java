package io.nip.monitoring;

import io.nip.errors.ConfigurationException;
import io.nip.event.Headers;
import io.nip.monitoring.internal.NewTraces;
import io.nip.monitoring.internal.Settings;
import io.nip.monitoring.internal.TraceHeaders;
import io.nip.monitoring.internal.TracedSink;
import io.nip.sink.Sink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Per-record distributed tracing on the OpenTelemetry SDK (the tutorial's {@code TracingManager}):
 * a span per sampled record around a pipeline step ({@link #trace}), child spans inside it
 * ({@link #span}), and W3C trace context ({@code traceparent}, {@code tracestate}) carried in record
 * headers, written by sinks wrapped with {@link #propagate} and continued by steps of the pipeline
 * that reads them, e.g. across a Kafka topic.
 *
 * <pre>{@code
 * try (TracingManager tracing = TracingManager.builder("nip-streaming-pipeline")
 *     .sampler(SamplerType.PROBABILISTIC, 0.1) // trace 10 % of records
 *     .otlpHttp("http://127.0.0.1:4318")       // or otlpGrpc(..), or exporter(anySpanExporter)
 *     .build()) {
 *   Stream<Enriched> enriched = tracing.trace("process_event").map(events, event -> {
 *     tracing.span("validate_event", () -> validator.check(event));
 *     return tracing.span("enrich_event", () -> enricher.enrich(event));
 *   });
 *   enriched.to(tracing.propagate(kafkaSink));
 *   ...
 * } // close() flushes the spans still queued to the exporter
 * }</pre>
 *
 * <p>Spans are batched ({@link BatchSpanProcessor}, sent every {@code exportInterval} or per 512
 * spans) and exported on the SDK's own thread. The manager registers nothing globally: its tracer
 * serves only its own steps, scopes and sinks ({@link #tracer()} for an application's own spans).
 * Thread-safe.
 */
public final class TracingManager implements AutoCloseable {
  /** The default OTLP/HTTP endpoint of a local OpenTelemetry collector. */
  public static final String DEFAULT_OTLP_HTTP_ENDPOINT = "http://localhost:4318/v1/traces";

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final String serviceName;
  private final SamplerType samplerType;
  private final double samplerRate;
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final NewTraces newTraces;

  /**
   * The tutorial's constructor: spans exported over OTLP/HTTP to {@link #DEFAULT_OTLP_HTTP_ENDPOINT}.
   *
   * <pre>{@code
   * TracingManager tracing = new TracingManager("nip-streaming-pipeline", SamplerType.PROBABILISTIC, 0.1);
   * }</pre>
   *
   * @param serviceName the {@code service.name} of every span, not blank
   * @param samplerType where new traces start
   * @param samplerRate the fraction of new traces sampled under {@link SamplerType#PROBABILISTIC},
   *     within [0, 1] (checked for every type)
   * @throws ConfigurationException naming {@code serviceName} or {@code samplerRate} when invalid
   */
  public TracingManager(String serviceName, SamplerType samplerType, double samplerRate) {
    this(builder(serviceName).sampler(samplerType, samplerRate));
  }

  private TracingManager(Builder b) {
    this.serviceName = b.serviceName;
    this.samplerType = b.samplerType;
    this.samplerRate = b.samplerRate;
    SpanExporter exporter = b.exporter != null ? b.exporter : b.grpc
        ? OtlpGrpcSpanExporter.builder().setEndpoint(b.endpoint).build()
        : OtlpHttpSpanExporter.builder().setEndpoint(b.endpoint).build();
    Sampler root = rootSampler(samplerType, samplerRate);
    this.newTraces = switch (samplerType) {
      case ALWAYS -> NewTraces.alwaysOn();
      case NEVER -> NewTraces.alwaysOff();
      case PROBABILISTIC -> NewTraces.ratio(samplerRate);
    };
    this.provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName))))
        .setSampler(Sampler.parentBased(root))
        .setIdGenerator(newTraces)
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(b.exportInterval).build())
        .build();
    this.tracer = provider.get("io.nip.monitoring");
  }

  private static Sampler rootSampler(SamplerType type, double rate) {
    return switch (type) {
      case ALWAYS -> Sampler.alwaysOn();
      case NEVER -> Sampler.alwaysOff();
      case PROBABILISTIC -> Sampler.traceIdRatioBased(rate);
    };
  }

  /**
   * @param serviceName the {@code service.name} of every span, not blank
   * @return a builder: sampler {@link SamplerType#ALWAYS}, OTLP/HTTP to
   *     {@link #DEFAULT_OTLP_HTTP_ENDPOINT}, export every 5 s
   * @throws ConfigurationException naming {@code serviceName} when blank
   */
  public static Builder builder(String serviceName) {
    return new Builder(serviceName);
  }

  /**
   * A step traced with one span per record, named {@code spanName} (the tutorial's
   * {@code @tracing.trace(span_name=...)}).
   *
   * @param spanName the spans' name, e.g. {@code "process_event"}; not blank
   * @return the step, to wrap a map or filter with
   * @throws ConfigurationException naming {@code spanName} when blank
   */
  public TracedStep trace(String spanName) {
    return new TracedStep(tracer, newTraces, Settings.host("spanName", spanName));
  }

  /**
   * Opens a child of the current span (the tutorial's {@code with tracing.span(name):}); outside a
   * traced step it starts a new trace, sampled by the manager's sampler. In a trace that is not
   * sampled it returns a no-op scope without building a span.
   *
   * @param name the span's name, not null
   * @return the open span, current until closed; close it with try-with-resources
   */
  public TraceScope span(String name) {
    Objects.requireNonNull(name, "name");
    SpanContext current = Span.current().getSpanContext();
    if (current.isValid() && !current.isSampled()) {
      return TraceScope.NOOP;
    }
    if (!current.isValid()) {
      Span dropped = newTraces.begin();
      if (dropped != null) {
        return TraceScope.unsampled(dropped);
      }
    }
    Span span = tracer.spanBuilder(name).startSpan();
    return new TraceScope(span, span.makeCurrent());
  }

  /**
   * Opens a span that continues the trace a record carries in its headers (W3C {@code traceparent}
   * and {@code tracestate}), for code that sees the record's headers but runs outside a traced step:
   * a keyed processor ({@code KeyedContext.headers()}), a sink. Headers without a (valid) trace
   * context start a new trace, sampled by the manager's sampler; a context that is not sampled
   * gives a no-op scope without building a span.
   *
   * <pre>{@code
   * try (TraceScope scope = tracing.span("score_payment", ctx.headers())) {
   *   ctx.emit(score(payment));
   * }
   * }</pre>
   *
   * @param name the span's name, not null
   * @param parent the record's headers, not null
   * @return the open span, current until closed; close it with try-with-resources
   */
  public TraceScope span(String name, Headers parent) {
    Objects.requireNonNull(name, "name");
    io.opentelemetry.context.Context context = TraceHeaders.extract(Objects.requireNonNull(parent, "parent"));
    SpanContext remote = Span.fromContext(context).getSpanContext();
    if (remote.isValid() && !remote.isSampled()) {
      return TraceScope.NOOP;
    }
    if (!remote.isValid()) {
      Span dropped = newTraces.begin();
      if (dropped != null) {
        return TraceScope.unsampled(dropped);
      }
    }
    Span span = tracer.spanBuilder(name).setParent(context).startSpan();
    return new TraceScope(span, span.makeCurrent());
  }

  /**
   * Runs {@code body} in a child span; a failure marks the span (status ERROR, {@code exception}
   * event) and is rethrown.
   *
   * @param name the span's name
   * @param body the work, e.g. {@code () -> enricher.enrich(event)}
   * @param <V> its result type
   * @return what {@code body} returned
   */
  public <V> V span(String name, Supplier<V> body) {
    Objects.requireNonNull(body, "body");
    try (TraceScope scope = span(name)) {
      try {
        return body.get();
      } catch (RuntimeException | Error e) {
        scope.fail(e);
        throw e;
      }
    }
  }

  /**
   * Runs {@code body} in a child span; a failure marks the span and is rethrown.
   *
   * @param name the span's name
   * @param body the work, e.g. {@code () -> validator.check(event)}
   */
  public void span(String name, Runnable body) {
    Objects.requireNonNull(body, "body");
    span(name, () -> {
      body.run();
      return null;
    });
  }

  /**
   * Wraps a sink so that every record it writes carries the trace context in its headers (the
   * tutorial's {@code @tracing.propagate}): each write runs under a PRODUCER span
   * {@code "<sink> publish"} (attributes {@code nip.pipeline}, {@code nip.task}, {@code nip.sink}),
   * a child of the context the record carries, and that span's {@code traceparent} and
   * {@code tracestate} replace the record's before the sink writes its headers. A Kafka sink thus
   * writes them as Kafka record headers, and a pipeline reading the topic continues the trace.
   *
   * <pre>{@code
   * enriched.to(tracing.propagate(KafkaSink.builder("enriched", serde).bootstrapServers(servers).build()));
   * }</pre>
   *
   * @param sink a sink that writes the record's headers ({@code SinkContext.currentHeaders()})
   * @param <T> its value type
   * @return a sink of the same name
   */
  public <T> Sink<T> propagate(Sink<T> sink) {
    return new TracedSink<>(Objects.requireNonNull(sink, "sink"), tracer, newTraces);
  }

  /**
   * The current span's context written into headers (what {@link #propagate} does per record), for
   * a sink or client of an application's own.
   *
   * @param headers the headers to extend, not null
   * @return {@code headers} with the current {@code traceparent}, or unchanged outside any span
   */
  public Headers inject(Headers headers) {
    return TraceHeaders.inject(Objects.requireNonNull(headers, "headers"), Span.current());
  }

  /** @return the OpenTelemetry tracer behind this manager, for an application's own spans */
  public Tracer tracer() {
    return tracer;
  }

  /** @return the {@code service.name} of every span */
  public String serviceName() {
    return serviceName;
  }

  /** @return where new traces start */
  public SamplerType samplerType() {
    return samplerType;
  }

  /** @return the fraction of new traces sampled under {@link SamplerType#PROBABILISTIC} */
  public double samplerRate() {
    return samplerRate;
  }

  /**
   * Exports the spans ended so far and waits for the exporter.
   *
   * @param timeout how long to wait at most
   * @return true when the export succeeded within {@code timeout}
   */
  public boolean flush(Duration timeout) {
    CompletableResultCode done = provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return done.isSuccess();
  }

  /** Ends tracing: exports the spans still queued (waiting up to 10 s) and shuts the exporter down. */
  @Override
  public void close() {
    provider.shutdown().join(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Settings of a {@link TracingManager}; each is validated when set. */
  public static final class Builder {
    private final String serviceName;
    private SamplerType samplerType = SamplerType.ALWAYS;
    private double samplerRate = 1.0;
    private SpanExporter exporter;
    private String endpoint = DEFAULT_OTLP_HTTP_ENDPOINT;
    private boolean grpc;
    private Duration exportInterval = Duration.ofSeconds(5);

    private Builder(String serviceName) {
      this.serviceName = Settings.host("serviceName", serviceName);
    }

    /**
     * @param type where new traces start
     * @param rate the fraction of new traces sampled under {@link SamplerType#PROBABILISTIC}, within
     *     [0, 1] (checked for every type; ignored by the others)
     * @return this
     * @throws ConfigurationException naming {@code samplerRate} when outside [0, 1] or NaN
     */
    public Builder sampler(SamplerType type, double rate) {
      if (!(rate >= 0 && rate <= 1)) {
        throw ConfigurationException.invalid("samplerRate", rate, "must be within [0, 1]");
      }
      this.samplerType = Objects.requireNonNull(type, "samplerType");
      this.samplerRate = rate;
      return this;
    }

    /**
     * Exports over OTLP/HTTP with protobuf bodies.
     *
     * @param url the collector's traces URL, e.g. {@code "http://127.0.0.1:4318/v1/traces"}; a URL
     *     without a path gets {@code /v1/traces}
     * @return this
     * @throws ConfigurationException naming {@code otlp.endpoint} when not an absolute http(s) URL
     */
    public Builder otlpHttp(String url) {
      URI uri = endpoint(url);
      String path = uri.getPath();
      this.endpoint = path == null || path.isEmpty() || path.equals("/")
          ? url.replaceAll("/$", "") + "/v1/traces" : url;
      this.grpc = false;
      this.exporter = null;
      return this;
    }

    /**
     * Exports over OTLP/gRPC.
     *
     * @param url the collector's gRPC address, e.g. {@code "http://127.0.0.1:4317"}
     * @return this
     * @throws ConfigurationException naming {@code otlp.endpoint} when not an absolute http(s) URL
     */
    public Builder otlpGrpc(String url) {
      endpoint(url);
      this.endpoint = url;
      this.grpc = true;
      this.exporter = null;
      return this;
    }

    /**
     * @param spanExporter any OpenTelemetry exporter (e.g. the SDK's {@code InMemorySpanExporter} in
     *     tests); replaces OTLP. It is shut down by {@link TracingManager#close()}.
     * @return this
     */
    public Builder exporter(SpanExporter spanExporter) {
      this.exporter = Objects.requireNonNull(spanExporter, "exporter");
      return this;
    }

    /**
     * @param interval how long ended spans wait at most before they are exported; at least 1 ms
     * @return this
     * @throws ConfigurationException naming {@code exportInterval} when shorter
     */
    public Builder exportInterval(Duration interval) {
      this.exportInterval = Settings.atLeast("exportInterval", interval, Duration.ofMillis(1));
      return this;
    }

    /** @return the manager, its exporter ready */
    public TracingManager build() {
      return new TracingManager(this);
    }

    private static URI endpoint(String url) {
      Objects.requireNonNull(url, "otlp.endpoint");
      URI uri = null;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        // reported below, with the other malformed URLs
      }
      if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw ConfigurationException.invalid("otlp.endpoint", "'" + url + "'", "must be an absolute http or https URL");
      }
      return uri;
    }
  }
}
