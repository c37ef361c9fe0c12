package dev.strata.api.v1alpha1;

/**
 * CEL validation rules shared by several fields, each with a message that says what to write. A
 * bare {@code @Pattern} makes the API server answer with the regex itself ("should match
 * '^[a-z0-9]([-a-z0-9.]*...'"), which tells a user nothing; a rule with a message does not. Each
 * string a rule reads has a maxLength (an {@code @Size}) so the API server's cost estimate of the
 * rule stays small.
 */
final class Cel {

  private Cel() {}

  /** The longest object name Kubernetes allows (a DNS subdomain). */
  static final int NAME_MAX = 253;

  /** The longest DNS label (namespaces, pod volume names, hook and container names). */
  static final int LABEL_MAX = 63;

  static final String OBJECT_NAME = "self.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')";
  static final String OBJECT_NAME_MESSAGE =
      "must be an object name: lower-case letters, digits, '-' and '.', starting and ending"
          + " with a letter or digit, like data-kafka-0";

  static final String DNS_LABEL = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')";
  static final String DNS_LABEL_MESSAGE =
      "must be a DNS label: at most 63 lower-case letters, digits and '-', starting and ending"
          + " with a letter or digit, like data";

  static final String SECRET_KEY = "self.matches('^[-._a-zA-Z0-9]+$')";
  static final String SECRET_KEY_MESSAGE =
      "must be a key of a Secret or ConfigMap: letters, digits, '-', '_' and '.', like"
          + " AWS_ACCESS_KEY_ID";

  static final String DURATION = "self.matches('^([0-9]+[smhdw])+$')";
  static final String DURATION_MESSAGE =
      "must be a duration: a number and a unit (s, m, h, d or w), or several, like 30m, 12h,"
          + " 7d or 1w2d";

  static final String QUANTITY = "self.matches('^[0-9]+([.][0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$')";
  static final String QUANTITY_MESSAGE = "must be a size such as 10Gi, 500Mi or 1.5Ti";

  static final String RFC3339 =
      "self.matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$')";
  static final String RFC3339_MESSAGE =
      "must be an RFC 3339 time such as 2026-12-01T03:00:00Z or 2026-12-01T04:00:00+01:00";

  // A cron expression: a macro, or 5 fields, each of lists, ranges and steps of numbers (or names)
  // in range: the grammar
  // of the operator's CronSchedule, which the schedule reconciler reads it with. One rule, whose
  // message names the first
  // field that is wrong, as CronSchedule's does. What only CronSchedule sees (a schedule that never
  // fires, such as 30
  // February, or a range that runs backwards) makes the schedule Stalled at run time. Time zones:
  // TimeZones.
  static final int CRON_MAX = 128;
  private static final String FIELDS = "self.replace('\\t', ' ').split(' ').filter(f, f != '')";
  private static final String IS_MACRO = "self.startsWith('@')";
  private static final String MACROS =
      "self.lowerAscii() in ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight',"
          + " '@hourly']";
  private static final String ELEMENT_START = ".split(',').all(e, e.matches('^([*?]|(";
  private static final String ELEMENT_END = "))?)(/[1-9][0-9]*)?$'))";
  private static final String MINUTE = "[0-5]?[0-9]";
  private static final String HOUR = "[01]?[0-9]|2[0-3]";
  private static final String DAY_OF_MONTH = "0?[1-9]|[12][0-9]|3[01]";
  private static final String MONTH =
      "0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
  private static final String DAY_OF_WEEK = "0?[0-7]|(?i:sun|mon|tue|wed|thu|fri|sat)";
  private static final String MINUTE_OK =
      FIELDS + "[0]" + ELEMENT_START + MINUTE + ")(-(" + MINUTE + ELEMENT_END;
  private static final String HOUR_OK =
      FIELDS + "[1]" + ELEMENT_START + HOUR + ")(-(" + HOUR + ELEMENT_END;
  private static final String DAY_OF_MONTH_OK =
      FIELDS + "[2]" + ELEMENT_START + DAY_OF_MONTH + ")(-(" + DAY_OF_MONTH + ELEMENT_END;
  private static final String MONTH_OK =
      FIELDS + "[3]" + ELEMENT_START + MONTH + ")(-(" + MONTH + ELEMENT_END;
  private static final String DAY_OF_WEEK_OK =
      FIELDS + "[4]" + ELEMENT_START + DAY_OF_WEEK + ")(-(" + DAY_OF_WEEK + ELEMENT_END;

  static final String CRON =
      IS_MACRO
          + " ? "
          + MACROS
          + " : "
          + FIELDS
          + ".size() == 5 && "
          + MINUTE_OK
          + " && "
          + HOUR_OK
          + " && "
          + DAY_OF_MONTH_OK
          + " && "
          + MONTH_OK
          + " && "
          + DAY_OF_WEEK_OK;
  private static final String WRITE =
      "write a 5-field cron (minute hour day-of-month month day-of-week) such as '0 3 * * *', or a"
          + " macro: @hourly, @daily, @weekly, @monthly or @yearly";

  /**
   * The fallback of the message expression (shown if it cannot be evaluated), and what the API
   * reference lists.
   */
  static final String CRON_MESSAGE =
      WRITE
          + "; minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week"
          + " 0-7 (0 and 7 are Sunday) or sun-sat, each as a number, a list (1,5), a range (1-5) or a step (*/15)";

  private static final String LISTS =
      ", lists (1,5), ranges (1-5) and steps (*/15); write a 5-field cron such as '0 3 * * *' or"
          + " a macro such as @daily\"";
  static final String CRON_MESSAGE_EXPRESSION =
      IS_MACRO
          + " || "
          + FIELDS
          + ".size() != 5 ? \""
          + WRITE
          + "\""
          + " : !("
          + MINUTE_OK
          + ") ? \"the minute field '\" + "
          + FIELDS
          + "[0] + \"' is out of range or not a number: use numbers 0-59"
          + LISTS
          + " : !("
          + HOUR_OK
          + ") ? \"the hour field '\" + "
          + FIELDS
          + "[1] + \"' is out of range or not a number: use numbers 0-23"
          + LISTS
          + " : !("
          + DAY_OF_MONTH_OK
          + ") ? \"the day-of-month field '\" + "
          + FIELDS
          + "[2] + \"' is out of range or not a number: use"
          + " numbers 1-31"
          + LISTS
          + " : !("
          + MONTH_OK
          + ") ? \"the month field '\" + "
          + FIELDS
          + "[3] + \"' is out of range: use numbers 1-12 or names"
          + " (jan-dec)"
          + LISTS
          + " : \"the day-of-week field '\" + "
          + FIELDS
          + "[4] + \"' is out of range: use numbers 0-7 (0 and 7 are Sunday) or names"
          + " (sun-sat)"
          + LISTS;
}
