package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsTheUnitsPeopleWrite() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void refusesGarbageWithAnExample() {
    assertThatThrownBy(() -> converter.convert("ten seconds"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("e.g. 500ms, 10s, 2m");
  }
}
