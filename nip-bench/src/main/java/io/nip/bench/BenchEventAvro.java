package io.nip.bench;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Exercise 1's input event as an Avro specific record (written as avro-tools would generate it),
 * for {@link SerdeBenchmark}: the fields of the JSON line, the timestamp as {@code timestamp-millis}.
 */
public class BenchEventAvro extends SpecificRecordBase {
  /** The schema. */
  public static final Schema SCHEMA$ = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"BenchEventAvro\","
      + "\"namespace\":\"io.nip.bench\",\"fields\":["
      + "{\"name\":\"event_id\",\"type\":[\"null\",\"string\"],\"default\":null},"
      + "{\"name\":\"user_id\",\"type\":\"string\"},{\"name\":\"event_type\",\"type\":\"string\"},"
      + "{\"name\":\"timestamp\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
      + "{\"name\":\"value\",\"type\":\"double\"},{\"name\":\"page\",\"type\":\"string\"},"
      + "{\"name\":\"device\",\"type\":\"string\"}]}");

  private CharSequence eventId;
  private CharSequence userId;
  private CharSequence eventType;
  private long timestamp;
  private double value;
  private CharSequence page;
  private CharSequence device;

  /** For Avro's reader. */
  public BenchEventAvro() {}

  /**
   * @param eventId the id
   * @param userId the user
   * @param eventType what happened
   * @param timestamp when, epoch millis
   * @param value properties.value
   * @param page properties.page
   * @param device properties.device
   */
  public BenchEventAvro(String eventId, String userId, String eventType, long timestamp, double value, String page,
      String device) {
    this.eventId = eventId;
    this.userId = userId;
    this.eventType = eventType;
    this.timestamp = timestamp;
    this.value = value;
    this.page = page;
    this.device = device;
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
      case 3: return timestamp;
      case 4: return value;
      case 5: return page;
      case 6: return device;
      default: throw new IndexOutOfBoundsException("field " + field);
    }
  }

  @Override
  public void put(int field, Object v) {
    switch (field) {
      case 0: eventId = (CharSequence) v; break;
      case 1: userId = (CharSequence) v; break;
      case 2: eventType = (CharSequence) v; break;
      case 3: timestamp = (Long) v; break;
      case 4: value = (Double) v; break;
      case 5: page = (CharSequence) v; break;
      case 6: device = (CharSequence) v; break;
      default: throw new IndexOutOfBoundsException("field " + field);
    }
  }

  /** @return the event type */
  public CharSequence eventType() {
    return eventType;
  }

  /** @return epoch millis */
  public long timestamp() {
    return timestamp;
  }
}
