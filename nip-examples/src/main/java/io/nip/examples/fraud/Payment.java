package io.nip.examples.fraud;

import io.nip.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One user event as exercise 3 reads it ({@link PaymentEventSerde}): who, what, when, and for a
 * {@code payment} its amount, country, status and optional fraud label. Other event types carry
 * nulls in the payment fields and are ignored by the rules.
 *
 * <pre>{@code
 * Payment p = new Payment("e1", "c7", "payment", Instant.parse("2026-01-17T17:03:10Z"),
 *     new BigDecimal("12.50"), "FR", "failed", null);
 * }</pre>
 *
 * @param eventId the producer's id, or null when the line had none
 * @param userId the user, never empty
 * @param eventType what happened; the rules look only at {@value #PAYMENT}
 * @param eventTime when it happened (JSON {@code timestamp})
 * @param amount {@code properties.amount}, exactly as written in the JSON (no binary rounding); null
 *     for other event types
 * @param country {@code properties.country}; null for other event types
 * @param status {@code properties.status}, {@value #SUCCESS} or {@value #FAILED}; null for other
 *     event types
 * @param labelFraud {@code properties.label_fraud}: the ground truth (e.g. from chargebacks), null
 *     when the payment is not labelled
 */
public record Payment(String eventId, String userId, String eventType, Instant eventTime, BigDecimal amount,
    String country, String status, Boolean labelFraud) implements Event {
  /** The event type the rules evaluate. */
  public static final String PAYMENT = "payment";
  /** {@code properties.status} of a successful payment. */
  public static final String SUCCESS = "success";
  /** {@code properties.status} of a failed payment. */
  public static final String FAILED = "failed";

  /** Checks the required fields. */
  public Payment {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(eventTime, "eventTime");
  }

  /** @return true for a {@code payment} event */
  public boolean isPayment() {
    return PAYMENT.equals(eventType);
  }

  /** @return true for a payment whose status is {@value #FAILED} */
  public boolean isFailedPayment() {
    return isPayment() && FAILED.equals(status);
  }

  /** @return true for a payment whose status is {@value #SUCCESS} */
  public boolean isSuccessfulPayment() {
    return isPayment() && SUCCESS.equals(status);
  }
}
