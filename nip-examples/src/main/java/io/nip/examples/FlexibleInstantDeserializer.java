package io.nip.examples;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads the timestamps that producers of the tutorial's events write: ISO-8601 instants
 * ({@code 2026-01-17T17:00:00Z}), date-times with an offset ({@code ...+01:00}), local date-times
 * without zone as Python's {@code datetime.isoformat()} writes them (taken as UTC), and numbers
 * (below 10^11 read as epoch seconds, possibly fractional as from {@code time.time()}, otherwise as
 * epoch milliseconds). Anything else is a parse error, so the line goes to the error policy.
 */
public final class FlexibleInstantDeserializer extends StdScalarDeserializer<Instant> {
  private static final long serialVersionUID = 1L;
  private static final double SECONDS_LIMIT = 1e11;

  /** Creates the deserializer; Jackson calls this. */
  public FlexibleInstantDeserializer() {
    super(Instant.class);
  }

  @Override
  public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return fromNumber(p.getDecimalValue());
    }
    if (t == JsonToken.VALUE_STRING) {
      String text = p.getText().trim();
      Instant parsed = parse(text);
      if (parsed == null) {
        return (Instant) ctx.handleWeirdStringValue(Instant.class, text,
            "expected an ISO-8601 instant, date-time or epoch number");
      }
      return parsed;
    }
    return (Instant) ctx.handleUnexpectedToken(Instant.class, p);
  }

  static Instant parse(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException ignored) {
      // try the other shapes
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the other shapes
    }
    try {
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // maybe a number in a string
    }
    try {
      return fromNumber(new BigDecimal(text));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Instant fromNumber(BigDecimal n) {
    if (n.abs().doubleValue() < SECONDS_LIMIT) {
      BigDecimal millis = n.movePointRight(3);
      return Instant.ofEpochMilli(millis.longValue());
    }
    return Instant.ofEpochMilli(n.longValue());
  }
}
