package io.nip.examples.fraud;

import io.nip.examples.fraud.FraudData.Pay;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The brute-force definition of exercise 3's alerts, written from the text and sharing no
 * code with the job: per user, sort the payments by time (stable: ties keep input order); at each
 * payment i, look back over all payments 0..i of the user and check the rules literally; then
 * throttle. Renders each alert as {@code user|pattern|detected_at|evidence ids|label}.
 */
final class FraudReference {
  private FraudReference() {}

  static List<String> alerts(List<Pay> inputOrder) {
    Map<String, List<Pay>> perUser = new LinkedHashMap<>();
    for (Pay p : inputOrder) {
      perUser.computeIfAbsent(p.user(), u -> new ArrayList<>()).add(p);
    }
    List<String> out = new ArrayList<>();
    for (List<Pay> ps : perUser.values()) {
      ps.sort(Comparator.comparingLong(Pay::millis)); // List.sort is stable
      Long lastAlert = null;
      for (int i = 0; i < ps.size(); i++) {
        Pay p = ps.get(i);
        long t = p.millis();
        String pattern = null;
        List<Pay> evidence = new ArrayList<>();
        List<Pay> failedIn5 = new ArrayList<>();
        for (int j = 0; j <= i; j++) {
          if (ps.get(j).failed() && ps.get(j).millis() >= t - 300_000) {
            failedIn5.add(ps.get(j));
          }
        }
        Map<String, Pay> lastPerCountry = new LinkedHashMap<>();
        for (int j = 0; j <= i; j++) {
          if (ps.get(j).millis() >= t - 3_600_000) {
            lastPerCountry.remove(ps.get(j).country());
            lastPerCountry.put(ps.get(j).country(), ps.get(j));
          }
        }
        BigDecimal sum = BigDecimal.ZERO;
        int n = 0;
        for (int j = 0; j < i; j++) {
          if (ps.get(j).success()) {
            sum = sum.add(FraudData.amount(ps.get(j)));
            n++;
          }
        }
        if (p.failed() && failedIn5.size() >= 3) {
          pattern = "failed_payments";
          evidence = failedIn5.subList(failedIn5.size() - 3, failedIn5.size());
        } else if (lastPerCountry.size() >= 3) {
          pattern = "multi_country";
          evidence = new ArrayList<>(lastPerCountry.values()); // in order of their last payment
        } else if (p.success() && n >= 3
            && FraudData.amount(p).multiply(BigDecimal.valueOf(n)).compareTo(sum.multiply(BigDecimal.TEN)) > 0) {
          pattern = "spending_spike";
          evidence = List.of(p);
        }
        if (pattern != null && (lastAlert == null || t >= lastAlert + 3_600_000)) {
          lastAlert = t;
          out.add(render(p.user(), pattern, FraudData.T0.plusMillis(t), evidence.stream().map(Pay::id).toList(),
              p.label()));
        }
      }
    }
    return out;
  }

  static String render(String user, String pattern, Instant at, List<String> evidenceIds, Boolean label) {
    return user + "|" + pattern + "|" + at + "|" + String.join(",", evidenceIds) + "|" + label;
  }

  static String render(FraudAlert a) {
    return render(a.userId(), a.pattern(), a.detectedAt(), a.evidence().stream().map(Payment::eventId).toList(),
        a.labelFraud());
  }

  /** @return the distinct alerts, checking that alerts repeated (at-least-once) are identical */
  static Set<String> distinct(List<String> alerts) {
    return new HashSet<>(alerts);
  }
}
