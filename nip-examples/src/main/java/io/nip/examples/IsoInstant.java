package io.nip.examples;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} without a formatter: the same text ({@code 2026-01-17T17:03:10Z},
 * fractions in groups of three digits as needed, {@code .250} for 250 ms), built directly for the
 * years 1000 to 9999 and by {@code Instant.toString()} itself outside them. Results carry event
 * times (exercise 2 writes two per session); the JDK's formatter builds several objects per call.
 *
 * <pre>{@code
 * String text = IsoInstant.format(Instant.parse("2026-01-17T17:03:10.250Z"));  // "2026-01-17T17:03:10.250Z"
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class IsoInstant {
  /** 1000-01-01T00:00:00Z in epoch seconds: from here on a year has four digits. */
  private static final long FIRST_FAST = LocalDate.of(1000, 1, 1).toEpochDay() * 86_400L;
  /** 10000-01-01T00:00:00Z in epoch seconds: from here on a year has five digits and a sign. */
  private static final long END_FAST = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400L;

  private IsoInstant() {}

  /**
   * @param instant the instant, not null
   * @return exactly {@code instant.toString()}
   * @throws NullPointerException when {@code instant} is null
   */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_FAST || seconds >= END_FAST) {
      return instant.toString();
    }
    int nanos = instant.getNano();
    int fraction = nanos == 0 ? 0 : nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
    byte[] b = new byte[20 + (fraction == 0 ? 0 : fraction + 1)];
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    digits(b, 0, date.getYear(), 4);
    b[4] = '-';
    digits(b, 5, date.getMonthValue(), 2);
    b[7] = '-';
    digits(b, 8, date.getDayOfMonth(), 2);
    b[10] = 'T';
    digits(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    digits(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    digits(b, 17, secondOfDay % 60, 2);
    int at = 19;
    if (fraction > 0) {
      b[at++] = '.';
      int scaled = fraction == 3 ? nanos / 1_000_000 : fraction == 6 ? nanos / 1_000 : nanos;
      digits(b, at, scaled, fraction);
      at += fraction;
    }
    b[at] = 'Z';
    return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Writes {@code value} as {@code width} decimal digits, zero-padded, at {@code at}. */
  private static void digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
