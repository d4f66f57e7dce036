package io.nip.examples.fraud;

import io.micrometer.core.instrument.Counter;
import io.nip.cep.AfterMatchSkip;
import io.nip.cep.Cep;
import io.nip.cep.Pattern;
import io.nip.cep.PatternStream;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.KeyedStream;
import io.nip.pipeline.Op;
import io.nip.pipeline.Stream;
import io.nip.serde.Serdes;
import io.nip.state.ValueState;
import io.nip.time.TimeDomain;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exercise 3's rules on a stream of payments keyed by user. Per user, in event-time order (ties in
 * input order), each payment at time t is evaluated against, in this order:
 *
 * <ol>
 *   <li>{@value #FAILED_PAYMENTS}: the payment failed and at least 3 failed payments have times in
 *       [t − 5 min, t];</li>
 *   <li>{@value #MULTI_COUNTRY}: at least 3 distinct countries among the user's payments (any status)
 *       in [t − 1 h, t];</li>
 *   <li>{@value #SPENDING_SPIKE}: the payment succeeded, the user has at least 3 earlier successful
 *       payments, and amount &gt; 10 × their mean amount (exactly 10 × is not a spike);</li>
 * </ol>
 *
 * both ends of every interval inclusive; "the user's payments" are those evaluated so far, the
 * payment at t included (a payment at the same time t later in input order is evaluated after it).
 * The first rule that holds gives an alert ({@link FraudAlert}, detected_at = t) unless the user
 * had an alert at some t0 with t &lt; t0 + 1 h (throttling: at most one alert per user per hour;
 * a suppressed alert does not extend the hour).
 *
 * <pre>{@code
 * Stream<FraudAlert> alerts = FraudRules.apply(payments.keyBy(Payment::userId, Serdes.string()));
 * }</pre>
 *
 * <p>How: {@value #FAILED_PAYMENTS} is a nip-cep pattern, {@code match("payment", failed).times(3)
 * .within(5 min)} with {@link AfterMatchSkip#NO_SKIP}: skip-till-next-match makes the partial match
 * started at the k-th failed payment take the next two, so it matches at the (k+2)-th exactly when
 * that one is at most 5 minutes after the k-th — which is the rule. The other two rules and the
 * decision (first rule wins, throttling) run in one keyed operator ({@value #RULES_OPERATOR}) over
 * the payments merged with those matches, in the same task: it buffers the user's payments in
 * keyed state until the watermark passes them (the pattern's matches for them have then arrived,
 * since the pattern operator emits them before it forwards that watermark) and keeps, in keyed state,
 * the user's latest payment per country within the hour, the count and exact decimal sum of
 * successful payments, and the time of the last alert. Everything is in the engine's keyed state, so
 * a checkpoint holds it and a restore continues it. A payment already behind the watermark on
 * arrival is late: the pattern sends it to {@link PatternStream#lateEvents()}, the rules skip it.
 */
public final class FraudRules {
  /** Rule 1's name (also the pattern operator's name and the alert's {@code pattern}). */
  public static final String FAILED_PAYMENTS = "failed_payments";
  /** Rule 2's name. */
  public static final String MULTI_COUNTRY = "multi_country";
  /** Rule 3's name. */
  public static final String SPENDING_SPIKE = "spending_spike";
  /** The rules in the order they are tried. */
  public static final List<String> PATTERNS = List.of(FAILED_PAYMENTS, MULTI_COUNTRY, SPENDING_SPIKE);
  /** The name of the keyed operator that evaluates the rules (its state scope). */
  public static final String RULES_OPERATOR = "fraud_rules";
  /** Metric: alerts a rule would have raised but the throttle suppressed, tagged {@code pattern}. */
  public static final String THROTTLED_METRIC = "nip.fraud.alerts.throttled";

  static final Duration FAILED_WINDOW = Duration.ofMinutes(5);
  static final Duration COUNTRY_WINDOW = Duration.ofHours(1);
  static final Duration THROTTLE = Duration.ofHours(1);
  static final int MIN_FAILED = 3;
  static final int MIN_COUNTRIES = 3;
  static final int MIN_EARLIER_SUCCESSES = 3;
  static final BigDecimal SPIKE_FACTOR = BigDecimal.TEN;

  private FraudRules() {}

  /**
   * The failed-payments pattern: three failed payments within 5 minutes (inclusive), every such
   * triple of consecutive failed payments a match ({@link AfterMatchSkip#NO_SKIP}).
   *
   * @return the pattern
   */
  public static Pattern<Payment> failedPaymentsPattern() {
    return Pattern.<Payment>begin("failed").where(Payment::isFailedPayment)
        .times(MIN_FAILED).within(FAILED_WINDOW).afterMatch(AfterMatchSkip.NO_SKIP);
  }

  /**
   * Adds the rules to a pipeline.
   *
   * @param payments the events keyed by {@code user_id}; events other than payments are ignored
   * @return the alerts (after throttling) and the late payments
   */
  public static Result apply(KeyedStream<String, Payment> payments) {
    Objects.requireNonNull(payments, "payments");
    PatternStream<String, Payment> failed = Cep.detect(payments, failedPaymentsPattern(),
        Serdes.json(Payment.class), Op.named(FAILED_PAYMENTS));
    Stream<FraudSignal> inOrder = payments.process(
        (String user, Payment p, KeyedContext<String, FraudSignal> ctx) -> ctx.emit(FraudSignal.payment(p)),
        Op.named("fraud_payments"));
    Stream<FraudSignal> matches = failed.matches().map(m -> FraudSignal.failedMatch(m.key(), m.events()),
        Op.named("fraud_failed_matches"));
    Stream<FraudAlert> alerts = inOrder.merge(matches)
        .keyByPartitioned(FraudSignal::userId, Serdes.string())
        .process(new Decision(), Op.named(RULES_OPERATOR));
    return new Result(alerts, failed.lateEvents());
  }

  /**
   * What {@link #apply} adds.
   *
   * @param alerts the alerts, each with its detected_at as event time
   * @param latePayments events behind the watermark on arrival, not evaluated
   */
  public record Result(Stream<FraudAlert> alerts, Stream<Payment> latePayments) {}

  /** A payment with its arrival number at the rule operator (ties in event time keep input order). */
  record Arrived(long seq, Payment payment) {}

  /** The user's state of the rules; one value per user. */
  record UserState(long arrivals, List<Arrived> pending, TreeMap<Long, List<List<Payment>>> failedMatches,
      Map<String, Arrived> countries, long successes, BigDecimal successSum, Long lastAlertMillis) {
    static UserState empty() {
      return new UserState(0, new ArrayList<>(), new TreeMap<>(), new HashMap<>(), 0, BigDecimal.ZERO, null);
    }
  }

  /*
   * The decision operator. Per user: payments wait in `pending` until the watermark passes them
   * (an event-time timer at t + 1 ms), failed-payments matches wait in `failedMatches` under their
   * detection time. At a timer, the pending payments before it are evaluated in (time, arrival)
   * order. Which failed payments at time t matched: the pattern matches the j-th failed payment at
   * t only if it matches every later one at t (the condition f_k − f_(k−2) ≤ 5 min only gets
   * easier as k grows at equal time), so with m matches at t they are the last m failed payments
   * at t, their evidence in match order. Threading: one keyed task thread per key, no fields with
   * per-key data (all in keyed state).
   */
  static final class Decision implements KeyedProcessor<String, FraudSignal, FraudAlert> {
    /** The throttle counters, the same meters for every task; replaced whole (immutable map) by each init. */
    private volatile Map<String, Counter> throttled = Map.of();

    @Override
    public void init(KeyedContext<String, FraudAlert> ctx) {
      Map<String, Counter> counters = new HashMap<>();
      for (String p : PATTERNS) {
        counters.put(p, Counter.builder(THROTTLED_METRIC).tags(ctx.metricTags()).tag("pattern", p)
            .description("alerts suppressed by the one-per-user-per-hour throttle").register(ctx.meterRegistry()));
      }
      throttled = Map.copyOf(counters);
    }

    private static ValueState<UserState> state(KeyedContext<String, FraudAlert> ctx) {
      return ctx.valueState("rules", Serdes.json(UserState.class));
    }

    @Override
    public void process(String user, FraudSignal s, KeyedContext<String, FraudAlert> ctx) {
      if (s.isPayment() && (!s.payment().isPayment()
          || s.payment().eventTime().isBefore(ctx.currentWatermark()))) {
        return; // not a payment, or late (the pattern operator routes and counts late events)
      }
      ValueState<UserState> st = state(ctx);
      UserState u = st.value() == null ? UserState.empty() : st.value();
      if (s.isPayment()) {
        u.pending().add(new Arrived(u.arrivals(), s.payment()));
        u = with(u, u.arrivals() + 1);
        ctx.registerEventTimeTimer(s.payment().eventTime().plusMillis(1));
      } else {
        long at = s.failedMatch().get(s.failedMatch().size() - 1).eventTime().toEpochMilli();
        u.failedMatches().computeIfAbsent(at, k -> new ArrayList<>()).add(s.failedMatch());
      }
      st.update(u);
    }

    private static UserState with(UserState u, long arrivals) {
      return new UserState(arrivals, u.pending(), u.failedMatches(), u.countries(), u.successes(), u.successSum(),
          u.lastAlertMillis());
    }

    @Override
    public void onTimer(String user, Instant time, TimeDomain domain, KeyedContext<String, FraudAlert> ctx) {
      ValueState<UserState> st = state(ctx);
      UserState u = st.value();
      if (u == null) {
        return;
      }
      List<Arrived> due = new ArrayList<>();
      List<Arrived> later = new ArrayList<>();
      for (Arrived a : u.pending()) {
        (a.payment().eventTime().isBefore(time) ? due : later).add(a);
      }
      if (due.isEmpty()) {
        return;
      }
      due.sort(Comparator.comparing((Arrived a) -> a.payment().eventTime()).thenComparingLong(Arrived::seq));
      Evaluation ev = new Evaluation(user, u, ctx);
      int i = 0;
      while (i < due.size()) {
        int j = i;
        Instant t = due.get(i).payment().eventTime();
        while (j < due.size() && due.get(j).payment().eventTime().equals(t)) {
          j++;
        }
        ev.evaluateAt(due.subList(i, j), u.failedMatches().remove(t.toEpochMilli()));
        i = j;
      }
      u.pending().clear();
      u.pending().addAll(later);
      st.update(ev.result(later));
    }

    /** Evaluates the due payments of one timer, in order, against the user's state. */
    private final class Evaluation {
      private final String user;
      private final UserState u;
      private final KeyedContext<String, FraudAlert> ctx;
      private long successes;
      private BigDecimal sum;
      private Long lastAlert;

      Evaluation(String user, UserState u, KeyedContext<String, FraudAlert> ctx) {
        this.user = user;
        this.u = u;
        this.ctx = ctx;
        this.successes = u.successes();
        this.sum = u.successSum();
        this.lastAlert = u.lastAlertMillis();
      }

      /** @param sameTime the payments at one time t, in arrival order; @param matches the pattern's at t */
      void evaluateAt(List<Arrived> sameTime, List<List<Payment>> matches) {
        int failedAtT = 0;
        for (Arrived a : sameTime) {
          failedAtT += a.payment().isFailedPayment() ? 1 : 0;
        }
        int m = matches == null ? 0 : matches.size();
        int failedSeen = 0;
        for (Arrived a : sameTime) {
          Payment p = a.payment();
          List<Payment> failedEvidence = null;
          if (p.isFailedPayment()) {
            int idx = failedSeen - (failedAtT - m);
            failedEvidence = idx >= 0 ? matches.get(idx) : null;
            failedSeen++;
          }
          evaluate(a, failedEvidence);
        }
      }

      private void evaluate(Arrived a, List<Payment> failedEvidence) {
        Payment p = a.payment();
        long t = p.eventTime().toEpochMilli();
        u.countries().put(p.country(), a);
        u.countries().values().removeIf(c -> c.payment().eventTime().toEpochMilli() < t - COUNTRY_WINDOW.toMillis());
        String pattern = null;
        List<Payment> evidence = null;
        if (failedEvidence != null) {
          pattern = FAILED_PAYMENTS;
          evidence = failedEvidence;
        } else if (u.countries().size() >= MIN_COUNTRIES) {
          pattern = MULTI_COUNTRY;
          evidence = u.countries().values().stream()
              .sorted(Comparator.comparing((Arrived c) -> c.payment().eventTime()).thenComparingLong(Arrived::seq))
              .map(Arrived::payment).toList();
        } else if (p.isSuccessfulPayment() && successes >= MIN_EARLIER_SUCCESSES
            && p.amount().multiply(BigDecimal.valueOf(successes)).compareTo(sum.multiply(SPIKE_FACTOR)) > 0) {
          pattern = SPENDING_SPIKE;
          evidence = List.of(p);
        }
        if (p.isSuccessfulPayment()) {
          successes++;
          sum = sum.add(p.amount());
        }
        if (pattern == null) {
          return;
        }
        if (lastAlert != null && t < lastAlert + THROTTLE.toMillis()) {
          throttled.get(pattern).increment();
          return;
        }
        lastAlert = t;
        ctx.emit(new FraudAlert(FraudAlert.idOf(user, pattern, p.eventTime()), user, pattern, p.eventTime(),
            evidence, p.labelFraud()), p.eventTime());
      }

      UserState result(List<Arrived> later) {
        return new UserState(u.arrivals(), u.pending(), u.failedMatches(), u.countries(), successes, sum, lastAlert);
      }
    }
  }
}
