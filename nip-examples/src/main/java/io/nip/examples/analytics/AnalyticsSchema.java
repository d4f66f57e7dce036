package io.nip.examples.analytics;

import io.nip.schema.JsonSchema;
import io.nip.schema.SchemaSerdes;
import io.nip.serde.Serde;

/**
 * Exercise 1's input contract as a JSON Schema (draft 2020-12), shipped as the resource
 * {@value #RESOURCE}: the same rules as the strict parser {@link AnalyticsEventSerde}, which stays
 * the fast path. {@link #validatingSerde()} checks each record against the schema first (a violation
 * is a dead letter naming the path and keyword), then parses it strictly.
 *
 * <pre>{@code
 * AnalyticsPipeline job = AnalyticsPipeline.builder(servers).validateSchema().build();
 * List<SchemaViolation> problems = AnalyticsSchema.schema().validate(line);
 * }</pre>
 *
 * <p>Where the two differ (the schema cannot say it): a date that does not exist (February 30)
 * matches the schema's pattern but not the parser, and a whole number written with a fraction
 * ({@code "timestamp": 1000.0}) is an integer to JSON Schema but not epoch milliseconds to the
 * parser. Either way the parser, which runs after the schema, rejects the record.
 */
public final class AnalyticsSchema {
  /** The class-path resource of the schema. */
  public static final String RESOURCE = "/schemas/analytics-event.schema.json";
  private static final JsonSchema SCHEMA = JsonSchema.fromClasspath(RESOURCE);

  private AnalyticsSchema() {}

  /** @return the compiled schema, {@code $id} {@code urn:nip:examples:analytics-event} */
  public static JsonSchema schema() {
    return SCHEMA;
  }

  /** @return a serde that validates each record against {@link #schema()}, then parses it strictly */
  public static Serde<AnalyticsEvent> validatingSerde() {
    return SchemaSerdes.json(new AnalyticsEventSerde()).validatedBy(SCHEMA);
  }
}
