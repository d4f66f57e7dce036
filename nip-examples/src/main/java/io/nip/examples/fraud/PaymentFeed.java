package io.nip.examples.fraud;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generated input of exercise 3 for demos and benchmarks: JSON lines in the input format
 * ({@link PaymentEventSerde}), in input order, with event times spread evenly over three hours from
 * 2026-01-17T17:00:00Z and up to 10 s of disorder (below the default 30 s bound).
 *
 * <pre>{@code
 * PaymentFeed.generate(20_000, 42, line -> feed.sendLine(line));
 * }</pre>
 *
 * <p>Users {@code c0 ..} (one per 25 events); 85 % of events are payments, the rest page views. A
 * user pays mostly from a home country (5 % elsewhere) amounts of 5 to 200 (two decimals); 1 % of
 * payments are spikes of 50 ×, 10 % fail, and 1 % start a burst of three failed payments in a
 * row (seconds apart). About a third of payments carry {@code label_fraud}: true for most bursts, spikes and
 * foreign payments, false otherwise (so alerts on them are true positives, the others mostly false).
 */
public final class PaymentFeed {
  static final Instant START = Instant.parse("2026-01-17T17:00:00Z");
  static final Duration SPAN = Duration.ofHours(3);
  private static final String[] COUNTRIES = {"FR", "DE", "US", "GB", "NL", "ES", "IT", "BR"};

  private PaymentFeed() {}

  /**
   * @param events lines to write, at least 1
   * @param seed the generator's seed: equal seeds give equal lines
   * @param out receives each line as UTF-8 bytes, in input order
   * @throws IllegalArgumentException when {@code events} is below 1
   */
  public static void generate(long events, long seed, Consumer<byte[]> out) {
    Objects.requireNonNull(out, "out");
    if (events < 1) {
      throw new IllegalArgumentException("events must be at least 1, but was " + events);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    long users = Math.max(1, events / 25);
    long step = Math.max(1, SPAN.toMillis() / events);
    int burst = 0;
    long burstUser = 0;
    for (long i = 0; i < events; i++) {
      long t = START.toEpochMilli() + i * step - rnd.nextLong(0, 10_000);
      long user = burst > 0 ? burstUser : rnd.nextLong(users);
      String line;
      if (burst > 0) {
        burst--;
        line = payment(i, user, t, amount(rnd), home(user), "failed", rnd.nextInt(3) == 0 ? null : Boolean.TRUE);
      } else if (rnd.nextInt(100) < 15) {
        line = String.format(Locale.ROOT, "{\"event_id\":\"e%d\",\"user_id\":\"c%d\",\"event_type\":\"page_view\","
            + "\"timestamp\":\"%s\",\"properties\":{}}", i, user, Instant.ofEpochMilli(t));
      } else {
        int roll = rnd.nextInt(100);
        boolean foreign = rnd.nextInt(100) < 5;
        boolean spike = roll == 0;
        if (roll == 1) {
          burst = 2;
          burstUser = user;
        }
        String status = roll == 1 || rnd.nextInt(100) < 10 ? "failed" : "success";
        String amount = spike ? String.format(Locale.ROOT, "%.2f", 50 * Double.parseDouble(amount(rnd))) : amount(rnd);
        String country = foreign ? COUNTRIES[rnd.nextInt(COUNTRIES.length)] : home(user);
        Boolean label = rnd.nextInt(3) != 0 ? null : (spike || foreign || roll == 1) == (rnd.nextInt(10) < 8);
        line = payment(i, user, t, amount, country, status, label);
      }
      out.accept(line.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String home(long user) {
    return COUNTRIES[(int) (user % COUNTRIES.length)];
  }

  private static String amount(SplittableRandom rnd) {
    return String.format(Locale.ROOT, "%d.%02d", rnd.nextInt(5, 200), rnd.nextInt(100));
  }

  private static String payment(long i, long user, long t, String amount, String country, String status,
      Boolean label) {
    return String.format(Locale.ROOT, "{\"event_id\":\"e%d\",\"user_id\":\"c%d\",\"event_type\":\"payment\","
        + "\"timestamp\":\"%s\",\"properties\":{\"amount\":%s,\"country\":\"%s\",\"status\":\"%s\"%s}}", i, user,
        Instant.ofEpochMilli(t), amount, country, status, label == null ? "" : ",\"label_fraud\":" + label);
  }
}
