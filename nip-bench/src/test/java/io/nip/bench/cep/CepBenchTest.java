package io.nip.bench.cep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two sides of {@code nip bench cep} compute the same thing: equal match counts on the same logins. */
class CepBenchTest {

  @Test
  void when_both_engines_run_the_failed_login_pattern_then_they_find_the_same_number_of_matches() {
    // Given / When: a small run (no figures are checked: timing has no place in unit tests)
    Map<String, Object> m = CepBench.run(new CepBench.Settings(20_000, 500, 1, 7),
        new PrintStream(new ByteArrayOutputStream()));

    // Then
    assertThat((Long) m.get("nip_matches")).isPositive().isEqualTo((Long) m.get("esper_matches"));
  }

  @Test
  void on_the_memory_backend_without_checkpoints_nip_finds_the_same_matches_as_esper() {
    // Given / When
    Map<String, Object> m = CepBench.run(new CepBench.Settings(20_000, 500, 1, 7, true, null, 2),
        new PrintStream(new ByteArrayOutputStream()));

    // Then
    assertThat(m.get("nip_state")).isEqualTo("memory");
    assertThat((List<?>) m.get("ratios")).hasSize(2);
    assertThat((Long) m.get("nip_matches")).isPositive().isEqualTo((Long) m.get("esper_matches"));
  }
}
