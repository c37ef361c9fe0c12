package dev.strata.engine;

/**
 * File names as they may be shown: a name can hold any byte but '/' and NUL, and a control
 * character printed raw can rewrite a terminal (ESC sequences) or forge a line of output (newline).
 * Control characters (C0, DEL, C1), the backslash and Unicode's direction overrides are written as
 * escapes ({@code \n}, {@code \x1b}, {@code \u202e}).
 */
public final class Names {

  private Names() {}

  public static String safe(String name) {
    if (name == null) {
      return null;
    }
    StringBuilder b = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      String esc = escape(c);
      if (esc != null && b == null) {
        b = new StringBuilder(name.length() + 8).append(name, 0, i);
      }
      if (b != null) {
        b.append(esc != null ? esc : String.valueOf(c));
      }
    }
    return b == null ? name : b.toString();
  }

  private static String escape(char c) {
    if (c == '\\') {
      return "\\\\";
    }
    if (c == '\n') {
      return "\\n";
    }
    if (c == '\t') {
      return "\\t";
    }
    if (c == '\r') {
      return "\\r";
    }
    if (c < 0x20 || c == 0x7f) {
      return String.format("\\x%02x", (int) c);
    }
    if ((c >= 0x80 && c < 0xa0)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x200e
        || c == 0x200f) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
