package io.nip.serde.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** A string, long, int or boolean written by {@link JsonSerde} has the bytes Jackson writes for it. */
class JsonSerdePlainValueProperties {
  private static final ObjectMapper MAPPER = Serdes.objectMapper();

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(40),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
        Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.of("", "user_1", "a\"b", "a\\b", "tab\there", "caf\u00e9", "\u007f", "/path/x", "</script>"));
  }

  @Property(tries = 1000)
  void a_string_key_is_written_as_jackson_writes_it_and_reads_back_equal(@ForAll("keys") String key)
      throws IOException {
    @SuppressWarnings("unchecked")
    Serde<Object> asObject = (Serde<Object>) (Serde<?>) Serdes.json(Object.class);
    Serde<String> asString = Serdes.json(String.class);

    assertThat(asObject.serialize(key)).isEqualTo(MAPPER.writeValueAsBytes(key));
    assertThat(asString.serialize(key)).isEqualTo(MAPPER.writeValueAsBytes(key));
    assertThat(asObject.deserialize(asObject.serialize(key))).isEqualTo(key);
  }

  @Property(tries = 500)
  void a_number_or_boolean_is_written_as_jackson_writes_it_and_reads_back_equal(@ForAll long l, @ForAll int i,
      @ForAll boolean b) throws IOException {
    @SuppressWarnings("unchecked")
    Serde<Object> asObject = (Serde<Object>) (Serde<?>) Serdes.json(Object.class);

    for (Object v : new Object[] {l, i, b}) {
      assertThat(asObject.serialize(v)).isEqualTo(MAPPER.writeValueAsBytes(v));
    }
    assertThat(Serdes.json(Long.class).serialize(l)).isEqualTo(MAPPER.writeValueAsBytes(l));
    assertThat(Serdes.json(Integer.class).serialize(i)).isEqualTo(MAPPER.writeValueAsBytes(i));
    assertThat(Serdes.json(Boolean.class).serialize(b)).isEqualTo(MAPPER.writeValueAsBytes(b));
    assertThat(Serdes.json(Long.class).deserialize(Serdes.json(Long.class).serialize(l))).isEqualTo(l);
    assertThat(asObject.deserialize(asObject.serialize(i))).isEqualTo(i);

    ObjectMapper quoted = new ObjectMapper()
        .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_NUMBERS_AS_STRINGS);
    assertThat(new JsonSerde<Object>(quoted, quoted.constructType(Object.class)).serialize(l))
        .isEqualTo(quoted.writeValueAsBytes(l));
  }

  @Property(tries = 200)
  void a_mapper_that_writes_strings_its_own_way_is_followed(@ForAll("keys") String key) throws IOException {
    ObjectMapper upper = new ObjectMapper().registerModule(new SimpleModule().addSerializer(
        new StdSerializer<>(String.class) {
          @Override
          public void serialize(String value, com.fasterxml.jackson.core.JsonGenerator gen,
              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            gen.writeString(value.toUpperCase(java.util.Locale.ROOT));
          }
        }));
    ObjectMapper wrapped = new ObjectMapper().enable(SerializationFeature.WRAP_ROOT_VALUE);

    assertThat(new JsonSerde<String>(upper, upper.constructType(String.class)).serialize(key))
        .isEqualTo(upper.writeValueAsBytes(key));
    assertThat(new JsonSerde<Object>(wrapped, wrapped.constructType(Object.class)).serialize(key))
        .isEqualTo(wrapped.writeValueAsBytes(key));
  }

  @Property(tries = 200)
  void a_custom_serializer_that_writes_some_values_its_own_way_is_followed(@ForAll long l, @ForAll int i)
      throws IOException {
    ObjectMapper custom = new ObjectMapper().registerModule(new SimpleModule()
        .addSerializer(new StdSerializer<>(Long.class) { // JavaScript-safe longs: quoted beyond 2^53
          @Override
          public void serialize(Long value, com.fasterxml.jackson.core.JsonGenerator gen,
              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            if (Math.abs(value) > (1L << 53)) {
              gen.writeString(value.toString());
            } else {
              gen.writeNumber(value);
            }
          }
        })
        .addSerializer(new StdSerializer<>(String.class) { // the empty string as null
          @Override
          public void serialize(String value, com.fasterxml.jackson.core.JsonGenerator gen,
              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            if (value.isEmpty()) {
              gen.writeNull();
            } else {
              gen.writeString(value);
            }
          }
        })
        .addSerializer(new StdSerializer<>(Integer.class) { // negative ints quoted
          @Override
          public void serialize(Integer value, com.fasterxml.jackson.core.JsonGenerator gen,
              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            if (value < 0) {
              gen.writeString(value.toString());
            } else {
              gen.writeNumber(value);
            }
          }
        }));

    for (Object v : new Object[] {l, Long.MAX_VALUE, i, "", "plain"}) {
      assertThat(new JsonSerde<Object>(custom, custom.constructType(Object.class)).serialize(v))
          .isEqualTo(custom.writeValueAsBytes(v));
    }
    assertThat(new JsonSerde<Long>(custom, custom.constructType(Long.class)).serialize(Long.MAX_VALUE))
        .isEqualTo(custom.writeValueAsBytes(Long.MAX_VALUE));
    assertThat(new JsonSerde<String>(custom, custom.constructType(String.class)).serialize(""))
        .isEqualTo(custom.writeValueAsBytes(""));
  }
}
