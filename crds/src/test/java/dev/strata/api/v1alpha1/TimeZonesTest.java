package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The zones admission lets through (TimeZones.RULE) are zones the operator can read (ZoneId.of).
 */
class TimeZonesTest {

  static List<String> listed() {
    String list =
        TimeZones.RULE.substring(TimeZones.RULE.indexOf('['), TimeZones.RULE.indexOf(']'));
    List<String> zones = new ArrayList<>();
    Matcher m = Pattern.compile("'([^']+)'").matcher(list);
    while (m.find()) {
      zones.add(m.group(1));
    }
    return zones;
  }

  @Test
  void everyListedZoneIsOneTheOperatorReads() {
    List<String> zones = listed();
    assertThat(zones)
        .hasSizeGreaterThan(580)
        .doesNotHaveDuplicates()
        .contains(
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
            "Etc/GMT+5",
            "US/Eastern")
        .doesNotContain("Mars/Olympus")
        .noneMatch(z -> z.startsWith("SystemV/"));
    for (String z : zones) {
      assertThatCode(() -> ZoneId.of(z)).as(z).doesNotThrowAnyException();
    }
  }

  @Test
  void offsetsTheRuleTakesAreOnesTheOperatorReads() {
    Pattern offset =
        Pattern.compile(TimeZones.RULE.replaceAll("(?s).*matches\\('", "").replaceAll("'\\)$", ""));
    for (String o : List.of("+02:00", "-0530", "UTC+2", "GMT-03", "Z", "+1")) {
      assertThat(offset.matcher(o).matches()).as(o).isTrue();
      assertThatCode(() -> ZoneId.of(o)).as(o).doesNotThrowAnyException();
    }
    for (String o : List.of("Mars/Olympus", "CEST+2", "2", "+")) {
      assertThat(offset.matcher(o).matches()).as(o).isFalse();
    }
  }
}
