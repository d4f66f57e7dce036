package io.nip.examples.fraud;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated input of exercise 3 for the tests: hand-made users at every edge of the rules, random
 * users, other event types and bad lines, in an input order with bounded disorder (under 20 s).
 * Each good line is also kept as a {@link Pay} for the reference.
 */
final class FraudData {
  static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** One payment as the test wrote it (input order = position in {@link #payments}). */
  record Pay(String id, String user, long millis, String amount, String country, String status, Boolean label) {
    boolean failed() {
      return status.equals("failed");
    }

    boolean success() {
      return status.equals("success");
    }
  }

  /** A line of input: its text, and the payment it holds when it is one. */
  record Line(String text, Pay pay, boolean bad) {
    byte[] bytes() {
      return text.getBytes(StandardCharsets.UTF_8);
    }

    String user() {
      return pay == null ? null : pay.user();
    }
  }

  final List<Line> lines = new ArrayList<>();
  final List<Pay> payments = new ArrayList<>();
  final List<String> userOf = new ArrayList<>();
  private int ids;

  /** Lines in input order after {@link #generate}. */
  static FraudData generate(long seed, int randomUsers, int paymentsPerUser) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Line> unordered = new ArrayList<>();
    FraudData d = new FraudData();
    d.edges(unordered);
    String[] countries = {"FR", "DE", "US", "GB", "NL"};
    for (int u = 0; u < randomUsers; u++) {
      String user = "r" + u;
      long t = rnd.nextLong(0, 600_000);
      for (int i = 0; i < paymentsPerUser; i++) {
        t += rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(1_000, 600_000); // some ties
        String country = countries[rnd.nextInt(rnd.nextInt(5) == 0 ? 5 : 2)];
        String status = rnd.nextInt(3) == 0 ? "failed" : "success";
        String amount = rnd.nextInt(12) == 0 ? (rnd.nextInt(1000, 5000) + ".50") : (rnd.nextInt(5, 120) + "." + rnd.nextInt(10, 99));
        Boolean label = rnd.nextInt(3) == 0 ? null : rnd.nextBoolean();
        unordered.add(d.pay(user, t, amount, country, status, label));
        if (rnd.nextInt(4) == 0) {
          unordered.add(new Line("{\"user_id\":\"" + user + "\",\"event_type\":\"page_view\",\"timestamp\":\""
              + T0.plusMillis(t) + "\"}", null, false));
        }
      }
    }
    unordered.add(new Line("not json", null, true));
    unordered.add(new Line("{\"user_id\":\"b1\",\"event_type\":\"payment\",\"timestamp\":\"" + T0
        + "\",\"properties\":{\"country\":\"FR\",\"status\":\"failed\"}}", null, true));
    unordered.add(new Line("{\"user_id\":\"b1\",\"event_type\":\"payment\",\"timestamp\":\"" + T0
        + "\",\"properties\":{\"amount\":5,\"country\":\"FR\",\"status\":\"pending\"}}", null, true));
    unordered.add(new Line("{\"user_id\":\"b1\",\"event_type\":\"payment\",\"timestamp\":\"" + T0
        + "\",\"properties\":{\"amount\":\"5\",\"country\":\"FR\",\"status\":\"failed\"}}", null, true));
    unordered.add(new Line("{\"user_id\":\"b1\",\"event_type\":\"payment\",\"timestamp\":\"2026-01-17T17:00:00\","
        + "\"properties\":{\"amount\":5,\"country\":\"FR\",\"status\":\"failed\"}}", null, true));
    // input order: by time plus a jitter under 20 s (stable), so disorder stays under the 30 s bound
    List<long[]> order = new ArrayList<>();
    for (int i = 0; i < unordered.size(); i++) {
      Line l = unordered.get(i);
      long t = l.pay() != null ? l.pay().millis() : (l.bad() ? rnd.nextLong(0, 3_600_000) : timeOf(l));
      order.add(new long[] {t + rnd.nextLong(0, 20_000), i});
    }
    order.sort(Comparator.comparingLong((long[] a) -> a[0]));
    for (long[] o : order) {
      Line l = unordered.get((int) o[1]);
      d.lines.add(l);
      if (l.pay() != null) {
        d.payments.add(l.pay());
      }
    }
    return d;
  }

  private static long timeOf(Line l) {
    int i = l.text().indexOf("\"timestamp\":\"") + 13;
    return Instant.parse(l.text().substring(i, l.text().indexOf('"', i))).toEpochMilli() - T0.toEpochMilli();
  }

  /** The edges of the issue, one user each; times in seconds after T0. */
  private void edges(List<Line> out) {
    // 3 failures spanning exactly 5 minutes: alert at 300 s; 5 min 1 s: none
    out.add(pay("f300", 0, "10", "FR", "failed", true));
    out.add(pay("f300", 150_000, "10", "FR", "failed", null));
    out.add(pay("f300", 300_000, "10", "FR", "failed", false));
    out.add(pay("f301", 0, "10", "FR", "failed", null));
    out.add(pay("f301", 150_000, "10", "FR", "failed", null));
    out.add(pay("f301", 301_000, "10", "FR", "failed", null));
    // 2 failures only
    out.add(pay("f2", 0, "10", "FR", "failed", null));
    out.add(pay("f2", 1_000, "10", "FR", "failed", null));
    // three failures at the same time: the third one alerts
    out.add(pay("ftie", 5_000, "10", "FR", "failed", true));
    out.add(pay("ftie", 5_000, "10", "FR", "failed", true));
    out.add(pay("ftie", 5_000, "10", "FR", "failed", true));
    // 3 countries in exactly 1 h: alert at 3600 s; in 61 min: none
    out.add(pay("c60", 0, "10", "FR", "success", null));
    out.add(pay("c60", 1_800_000, "10", "DE", "success", null));
    out.add(pay("c60", 3_600_000, "10", "US", "success", false));
    out.add(pay("c61", 0, "10", "FR", "success", null));
    out.add(pay("c61", 1_800_000, "10", "DE", "success", null));
    out.add(pay("c61", 3_660_000, "10", "US", "success", null));
    // exactly 10 x the mean of 10, 20, 30 is no spike; 651 > 10 x mean(10, 20, 30, 200) = 650 is
    out.add(pay("s10", 0, "10", "FR", "success", null));
    out.add(pay("s10", 60_000, "20", "FR", "success", null));
    out.add(pay("s10", 120_000, "30", "FR", "success", null));
    out.add(pay("s10", 180_000, "200", "FR", "success", null));
    out.add(pay("s10", 240_000, "651", "FR", "success", true));
    // a spike needs 3 earlier successes: 2 successes then 1000 is none
    out.add(pay("s2", 0, "1", "FR", "success", null));
    out.add(pay("s2", 1_000, "1", "FR", "success", null));
    out.add(pay("s2", 2_000, "1000", "FR", "success", null));
    // throttle: failed_payments at 300 s suppresses multi_country from 1000 s to 3899 s; at exactly
    // 300 s + 1 h multi_country alerts again
    out.add(pay("thr", 0, "10", "FR", "failed", null));
    out.add(pay("thr", 100_000, "10", "FR", "failed", null));
    out.add(pay("thr", 300_000, "10", "FR", "failed", false));
    out.add(pay("thr", 400_000, "10", "FR", "success", null));
    out.add(pay("thr", 500_000, "10", "FR", "success", null));
    out.add(pay("thr", 600_000, "10", "DE", "success", null));
    out.add(pay("thr", 1_000_000, "10", "US", "success", null));
    out.add(pay("thr", 3_899_000, "500", "FR", "success", null));
    out.add(pay("thr", 3_900_000, "900", "FR", "success", true));
  }

  private Line pay(String user, long millis, String amount, String country, String status, Boolean label) {
    Pay p = new Pay("e" + (ids++), user, millis, amount, country, status, label);
    String props = "{\"amount\":" + amount + ",\"country\":\"" + country + "\",\"status\":\"" + status + "\""
        + (label == null ? "" : ",\"label_fraud\":" + label) + "}";
    return new Line("{\"event_id\":\"" + p.id() + "\",\"user_id\":\"" + user + "\",\"event_type\":\"payment\","
        + "\"timestamp\":\"" + T0.plusMillis(millis) + "\",\"properties\":" + props + "}", p, false);
  }

  /** @return the amount as written */
  static BigDecimal amount(Pay p) {
    return new BigDecimal(p.amount());
  }

  long badLines() {
    return lines.stream().filter(Line::bad).count();
  }
}
