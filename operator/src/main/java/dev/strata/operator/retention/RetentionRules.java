package dev.strata.operator.retention;

import dev.strata.api.v1alpha1.RetentionPolicySpec;
import dev.strata.operator.DurationText;
import java.time.Duration;
import java.time.ZoneId;

/**
 * A RetentionPolicy's rules with defaults applied and text parsed; null counts mean "rule not set".
 */
public record RetentionRules(
    Integer keepLast,
    Integer keepHourly,
    Integer keepDaily,
    Integer keepWeekly,
    Integer keepMonthly,
    Integer keepYearly,
    Duration maxAge,
    int minKeep,
    int keepFailed,
    ZoneId zone) {

  public static RetentionRules from(RetentionPolicySpec spec) {
    ZoneId zone;
    try {
      zone =
          ZoneId.of(spec.timeZone() == null || spec.timeZone().isBlank() ? "UTC" : spec.timeZone());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "unknown time zone '"
              + spec.timeZone()
              + "' in spec.timeZone: use an IANA name such as Europe/Berlin");
    }
    return new RetentionRules(
        spec.keepLast(),
        spec.keepHourly(),
        spec.keepDaily(),
        spec.keepWeekly(),
        spec.keepMonthly(),
        spec.keepYearly(),
        spec.maxAge() == null || spec.maxAge().isBlank() ? null : DurationText.parse(spec.maxAge()),
        spec.minKeep() == null ? 1 : Math.max(1, spec.minKeep()),
        spec.keepFailed() == null ? 1 : spec.keepFailed(),
        zone);
  }

  boolean anyKeepRule() {
    return keepLast != null
        || keepHourly != null
        || keepDaily != null
        || keepWeekly != null
        || keepMonthly != null
        || keepYearly != null;
  }
}
