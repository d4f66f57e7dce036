package io.nip.schema.internal;

import io.nip.errors.SerializationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro binary for one data model (specific or generic) and one reader schema: writes with the
 * reader schema, reads bytes of any writer schema through Avro's schema resolution (fields added
 * with a default, removed fields, aliases, promotions). The resolving reader of each writer schema
 * is built once and cached. Thread-safe: Avro's datum writers are stateless and its datum readers
 * keep their resolving decoder per thread; encoders and decoders are per call.
 */
public final class AvroCodec<T> {
  private final GenericData model;
  private final Schema readerSchema;
  private final DatumWriter<T> writer;
  private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /**
   * @param model {@code SpecificData} for generated classes, {@code GenericData} for generic records
   * @param readerSchema the schema values are written with and read into
   */
  @SuppressWarnings("unchecked")
  public AvroCodec(GenericData model, Schema readerSchema) {
    this.model = model;
    this.readerSchema = readerSchema;
    this.writer = (DatumWriter<T>) model.createDatumWriter(readerSchema);
  }

  /** @return the reader (and writer) schema */
  public Schema schema() {
    return readerSchema;
  }

  /** @return the data model */
  public GenericData model() {
    return model;
  }

  /**
   * @param value a record of the reader schema
   * @param out where the binary goes
   */
  public void write(T value, ByteArrayOutputStream out) {
    try {
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      writer.write(value, enc);
      enc.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot write " + readerSchema.getFullName() + " as Avro: " + e.getMessage(),
          null, e);
    }
  }

  /**
   * @param bytes the whole record (for the error)
   * @param offset where the Avro binary starts
   * @param writerSchema the schema the bytes were written with
   * @return the record, resolved to the reader schema
   */
  @SuppressWarnings("unchecked")
  public T read(byte[] bytes, int offset, Schema writerSchema) {
    DatumReader<T> reader = readers.computeIfAbsent(writerSchema,
        w -> (DatumReader<T>) model.createDatumReader(w, readerSchema));
    try {
      BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, null);
      T value = reader.read(null, dec);
      if (!dec.isEnd()) {
        throw new SerializationException("not a " + readerSchema.getFullName() + " Avro record: "
            + (bytes.length - offset) + " bytes, of which trailing bytes were left unread", bytes, null);
      }
      return value;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException e) {
      throw new SerializationException("not a " + readerSchema.getFullName() + " Avro record written with "
          + writerSchema.getFullName() + ": " + e, bytes, e);
    }
  }
}
