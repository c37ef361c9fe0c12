package dev.strata.engine;

/**
 * File names as they may be shown: a name can hold any byte but '/' and NUL, and a control
 * character printed raw can rewrite a terminal (ESC sequences) or forge a line of output (newline).
 * Control characters (C0, DEL, C1), the backslash and Unicode's direction overrides are written as
 * escapes ({@code \n}, {@code \x1b}, {@code \u202e}).
 */
public final class Names {

  private Names() {}

  /**
   * Why a file operation failed, in words, for a message that already names the file: "no such file
   * or directory", "permission denied", the system's reason ("not a directory", "no space left on
   * device"), never a Java class name or the bare path that NIO's exceptions give as their message.
   * With {@code withFile}, the file the system named follows when there is one ("/s/packs/aa: not a
   * directory"): it may lie above the file the message names.
   */
  public static String reason(java.io.IOException e, boolean withFile) {
    String why;
    if (e instanceof java.nio.file.NoSuchFileException) {
      why = "no such file or directory";
    } else if (e instanceof java.nio.file.AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
      why = "it exists already";
    } else if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      why = f.getReason();
    } else if (e instanceof java.nio.file.FileSystemException) {
      why =
          e.getClass().getSimpleName().replace("Exception", "").toLowerCase(java.util.Locale.ROOT);
    } else {
      why =
          e.getMessage() == null || e.getMessage().isBlank()
              ? "input/output error"
              : e.getMessage();
    }
    if (!why.isEmpty() && Character.isUpperCase(why.charAt(0)) && !why.startsWith("I/O")) {
      why = Character.toLowerCase(why.charAt(0)) + why.substring(1);
    }
    String file = e instanceof java.nio.file.FileSystemException f ? f.getFile() : null;
    return withFile && file != null ? safe(file) + ": " + why : why;
  }

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
