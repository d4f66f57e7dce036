package io.nip.schema;

import io.nip.schema.internal.AvroBinarySerde;
import io.nip.schema.internal.AvroCodec;
import io.nip.schema.internal.AvroConfluentSerde;
import io.nip.schema.internal.AvroSingleObjectSerde;
import io.nip.schema.internal.TrustingSpecificData;
import io.nip.serde.Serde;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apache Avro serdes, for specific records (generated classes) and generic records, in three
 * encodings:
 * <ul>
 *   <li>{@code binary}: the bare Avro binary; the reader must know the writer schema
 *       ({@code content-type: application/avro}).
 *   <li>{@code singleObject}: Avro's single-object encoding, {@code C3 01}, the writer schema's
 *       8-byte CRC-64-AVRO fingerprint, then the binary; the reader resolves fingerprints among the
 *       schemas it was given ({@code nip.schema.id}: the fingerprint in hex).
 *   <li>{@code confluent}: the Confluent wire format, magic byte {@code 0}, the writer schema's
 *       4-byte registry id (big-endian), then the binary; ids come from a
 *       {@link SchemaRegistryClient} ({@code nip.schema.id}: the id).
 * </ul>
 * Every reader resolves the writer schema to its reader schema (Avro schema resolution): a consumer
 * with a newer schema reads older records (a field added with a default gets the default, a
 * removed field is skipped, a field renamed with an alias is found by its old name). Bytes that do
 * not read throw {@link io.nip.errors.SerializationException} naming the schema — a dead letter
 * under {@code ErrorPolicy.deadLetter}. A specific class passed here, and the classes of its
 * package (its nested records and enums), are trusted by Avro's class-security check: naming the
 * class is the application trusting it.
 *
 * <pre>{@code
 * Serde<GenericRecord> v2 = AvroSerdes.singleObject(schemaV2, List.of(schemaV1));   // reads v1 and v2
 * Serde<UserEventAvro> c = AvroSerdes.confluent(UserEventAvro.class, registry, "user-events-value");
 * }</pre>
 */
public final class AvroSerdes {
  private AvroSerdes() {}

  /**
   * @param type a generated (specific) record class
   * @param <T> the record type
   * @return bare binary written and read with the class's schema
   */
  public static <T extends SpecificRecord> Serde<T> binary(Class<T> type) {
    AvroCodec<T> codec = specific(type);
    return new AvroBinarySerde<>(codec, codec.schema());
  }

  /**
   * @param type a generated (specific) record class
   * @param writerSchema the schema the bytes to read were written with (e.g. an older version)
   * @param <T> the record type
   * @return bare binary read from {@code writerSchema} into {@code type}; written with the class's schema
   */
  public static <T extends SpecificRecord> Serde<T> binary(Class<T> type, Schema writerSchema) {
    return new AvroBinarySerde<>(specific(type), Objects.requireNonNull(writerSchema, "writerSchema"));
  }

  /**
   * @param schema the record schema
   * @return bare binary of generic records, written and read with {@code schema}
   */
  public static Serde<GenericRecord> binary(Schema schema) {
    AvroCodec<GenericRecord> codec = generic(schema);
    return new AvroBinarySerde<>(codec, schema);
  }

  /**
   * @param readerSchema the schema records are read into and written with
   * @param writerSchema the schema the bytes to read were written with
   * @return bare binary of generic records, resolved from {@code writerSchema} to {@code readerSchema}
   */
  public static Serde<GenericRecord> binary(Schema readerSchema, Schema writerSchema) {
    return new AvroBinarySerde<>(generic(readerSchema), Objects.requireNonNull(writerSchema, "writerSchema"));
  }

  /**
   * @param type a generated (specific) record class
   * @param olderSchemas writer schemas besides the class's own that records may carry the
   *     fingerprint of
   * @param <T> the record type
   * @return single-object encoding of {@code type}
   */
  public static <T extends SpecificRecord> Serde<T> singleObject(Class<T> type, List<Schema> olderSchemas) {
    return new AvroSingleObjectSerde<>(specific(type), olderSchemas);
  }

  /**
   * @param readerSchema the schema records are read into and written with
   * @param olderSchemas writer schemas besides {@code readerSchema} that records may carry the
   *     fingerprint of
   * @return single-object encoding of generic records
   */
  public static Serde<GenericRecord> singleObject(Schema readerSchema, List<Schema> olderSchemas) {
    return new AvroSingleObjectSerde<>(generic(readerSchema), olderSchemas);
  }

  /**
   * @param type a generated (specific) record class
   * @param registry where writer schemas are registered and looked up by id
   * @param subject the subject the class's schema is registered under when writing
   * @param <T> the record type
   * @return the Confluent wire format of {@code type}
   */
  public static <T extends SpecificRecord> Serde<T> confluent(Class<T> type, SchemaRegistryClient registry,
      String subject) {
    return new AvroConfluentSerde<>(specific(type), Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(subject, "subject"));
  }

  /**
   * @param readerSchema the schema records are read into and written with
   * @param registry where writer schemas are registered and looked up by id
   * @param subject the subject {@code readerSchema} is registered under when writing
   * @return the Confluent wire format of generic records
   */
  public static Serde<GenericRecord> confluent(Schema readerSchema, SchemaRegistryClient registry, String subject) {
    return new AvroConfluentSerde<>(generic(readerSchema), Objects.requireNonNull(registry, "registry"),
        Objects.requireNonNull(subject, "subject"));
  }

  private static <T extends SpecificRecord> AvroCodec<T> specific(Class<T> type) {
    Objects.requireNonNull(type, "type");
    SpecificData model = new TrustingSpecificData(type, SpecificData.getForClass(type));
    return new AvroCodec<>(model, model.getSchema(type));
  }

  private static AvroCodec<GenericRecord> generic(Schema schema) {
    return new AvroCodec<>(GenericData.get(), Objects.requireNonNull(schema, "schema"));
  }
}
