package io.nip.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuaranteeConfigTest {

  @Test
  void at_least_once_is_the_default_with_a_5_second_interval() {
    PipelineConfig cfg = PipelineConfig.defaults();
    assertThat(cfg.guarantee()).isEqualTo(Guarantee.AT_LEAST_ONCE);
    assertThat(cfg.commitInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void exactly_once_defaults_to_a_100_ms_interval_unless_one_is_given() {
    PipelineConfig eos = PipelineConfig.builder().guarantee(Guarantee.EXACTLY_ONCE).build();
    assertThat(eos.commitInterval()).isEqualTo(Duration.ofMillis(100));
    PipelineConfig given = PipelineConfig.builder().commitInterval(Duration.ofSeconds(2))
        .guarantee(Guarantee.EXACTLY_ONCE).build();
    assertThat(given.commitInterval()).isEqualTo(Duration.ofSeconds(2));
    // the default follows the guarantee through toBuilder; a given interval stays
    assertThat(eos.toBuilder().guarantee(Guarantee.AT_LEAST_ONCE).build().commitInterval())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(given.toBuilder().guarantee(Guarantee.AT_LEAST_ONCE).build().commitInterval())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void the_guarantee_reads_from_properties_and_a_bad_value_names_the_setting() {
    assertThat(PipelineConfig.fromProperties(Map.of("guarantee", "exactly-once")).build().guarantee())
        .isEqualTo(Guarantee.EXACTLY_ONCE);
    assertThat(PipelineConfig.fromProperties(Map.of("guarantee", "AT_LEAST_ONCE")).build().guarantee())
        .isEqualTo(Guarantee.AT_LEAST_ONCE);
    assertThatThrownBy(() -> PipelineConfig.fromProperties(Map.of("guarantee", "twice")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("guarantee").hasMessageContaining("twice");
  }
}
