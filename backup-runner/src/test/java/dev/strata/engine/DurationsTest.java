package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "6h, PT6H",
    "30m, PT30M",
    "90s, PT1M30S",
    "2d, PT48H",
    "1h30m, PT1H30M",
    "1d2h3m4s5ms, PT26H3M4.005S",
    "500ms, PT0.5S",
    "0s, PT0S",
    "PT6H, PT6H",
    "P1D, PT24H",
    "' 6h ', PT6H"
  })
  void parses(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "6",
        "h",
        "6 h",
        "6hours",
        "30m6h",
        "6h6h",
        "-1h",
        "-PT1H",
        "PT",
        "1.5h",
        "99999999999999d"
      })
  void refuses(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a duration: write it like 6h, 30m, 90s, 2d, 1h30m or PT6H");
  }

  @ParameterizedTest
  @CsvSource({"PT6H, 6h", "PT1H30M, 1h30m", "PT48H, 2d", "PT2S, 2s", "PT0S, 0s", "PT0.25S, 250ms"})
  void formatsTheWayItParses(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }
}
