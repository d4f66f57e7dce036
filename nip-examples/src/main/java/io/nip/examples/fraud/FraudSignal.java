package io.nip.examples.fraud;

import java.util.List;
import java.util.Objects;

/*
 * What the rule operator reads from the merged stream of one keyed task: either a payment (in
 * arrival order) or a match of the failed-payments pattern (its three failed payments, the last
 * being the payment it was detected at). Both carry the user so that the merged stream can be
 * keyed again, in the same task, by the same key. Lives only inside the task: never serialized.
 */
record FraudSignal(String userId, Payment payment, List<Payment> failedMatch) {
  FraudSignal {
    Objects.requireNonNull(userId, "userId");
  }

  static FraudSignal payment(Payment p) {
    return new FraudSignal(p.userId(), p, null);
  }

  static FraudSignal failedMatch(String userId, List<Payment> events) {
    return new FraudSignal(userId, null, List.copyOf(events));
  }

  boolean isPayment() {
    return payment != null;
  }
}
