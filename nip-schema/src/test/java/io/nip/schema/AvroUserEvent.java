package io.nip.schema;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * A specific record written by hand as avro-tools would generate it: exercise 1's event. Its
 * schema's full name is this class's name, so that Avro's specific model finds the class.
 */
public class AvroUserEvent extends SpecificRecordBase {
  /** The schema. */
  public static final Schema SCHEMA$ = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"AvroUserEvent\","
      + "\"namespace\":\"io.nip.schema\",\"fields\":["
      + "{\"name\":\"event_id\",\"type\":[\"null\",\"string\"],\"default\":null},"
      + "{\"name\":\"user_id\",\"type\":\"string\"},"
      + "{\"name\":\"event_type\",\"type\":\"string\"},"
      + "{\"name\":\"timestamp_millis\",\"type\":\"long\"},"
      + "{\"name\":\"value\",\"type\":\"double\"}]}");

  private String eventId;
  private String userId;
  private String eventType;
  private long timestampMillis;
  private double value;

  /** For Avro's reader. */
  public AvroUserEvent() {}

  /**
   * @param eventId the id, or null
   * @param userId the user
   * @param eventType what happened
   * @param timestampMillis when, epoch millis
   * @param value properties.value
   */
  public AvroUserEvent(String eventId, String userId, String eventType, long timestampMillis, double value) {
    this.eventId = eventId;
    this.userId = userId;
    this.eventType = eventType;
    this.timestampMillis = timestampMillis;
    this.value = value;
  }

  @Override
  public Schema getSchema() {
    return SCHEMA$;
  }

  @Override
  public Object get(int field) {
    switch (field) {
      case 0: return eventId;
      case 1: return userId;
      case 2: return eventType;
      case 3: return timestampMillis;
      case 4: return value;
      default: throw new IndexOutOfBoundsException("field " + field);
    }
  }

  @Override
  public void put(int field, Object v) {
    switch (field) {
      case 0: eventId = v == null ? null : v.toString(); break;
      case 1: userId = v.toString(); break;
      case 2: eventType = v.toString(); break;
      case 3: timestampMillis = (Long) v; break;
      case 4: value = (Double) v; break;
      default: throw new IndexOutOfBoundsException("field " + field);
    }
  }

  /** @return the user */
  public String userId() {
    return userId;
  }

  /** @return the event type */
  public String eventType() {
    return eventType;
  }

  /** @return properties.value */
  public double value() {
    return value;
  }
}
