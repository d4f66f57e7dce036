package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link IsoInstant#format} is {@link Instant#toString()}, in and out of its fast range. */
class IsoInstantProperties {

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.oneOf(
        Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
        Arbitraries.longs().between(-31_000_000_000L, 254_000_000_000L), // around years 1000 and 10000
        Arbitraries.longs().between(1_700_000_000L, 1_900_000_000L));
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0),
        Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
        Arbitraries.integers().between(0, 999_999_999));
    return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
  }

  @Property(tries = 3000)
  void the_text_is_instant_to_string(@ForAll("instants") Instant instant) {
    assertThat(IsoInstant.format(instant)).isEqualTo(instant.toString());
  }

  @Property(tries = 1)
  void the_edges_of_the_fast_range_and_of_a_day(@ForAll("instants") Instant ignored) {
    for (String s : new String[] {"0999-12-31T23:59:59.999999999Z", "1000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.100Z",
        "2026-01-17T17:03:10.250Z", "2024-02-29T12:00:00.000001Z"}) {
      Instant t = Instant.parse(s);
      assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
    }
  }
}
