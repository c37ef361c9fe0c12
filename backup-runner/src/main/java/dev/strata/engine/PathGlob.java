package dev.strata.engine;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A glob over paths in a snapshot (relative to its root, '/'-separated): {@code *} matches within
 * one name, {@code **} across names, {@code ?} one character, {@code [a-z]} (or {@code [!a-z]}) one
 * of a set. A pattern with a '/' (a leading one is dropped) is matched against the whole path; one
 * without, like {@code *.sst}, against a name at any depth.
 */
public final class PathGlob {

  private final String pattern;
  private final Pattern regex;
  private final boolean anchored;

  private PathGlob(String pattern, Pattern regex, boolean anchored) {
    this.pattern = pattern;
    this.regex = regex;
    this.anchored = anchored;
  }

  /**
   * @throws IllegalArgumentException for an empty pattern or an unclosed {@code [}
   */
  public static PathGlob of(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException(
          "an empty pattern matches nothing: give a glob like data/** or *.sst");
    }
    String p = pattern;
    boolean anchored = p.startsWith("/") || p.replaceAll("/+$", "").contains("/");
    p = p.replaceAll("^/+", "").replaceAll("/+$", "");
    if (p.isEmpty()) {
      p = "**"; // "/" is the whole snapshot
    }
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      switch (c) {
        case '*' -> {
          if (i + 1 < p.length() && p.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < p.length() && p.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?"); // "a/**/b" also matches "a/b"
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '[' -> {
          int close = p.indexOf(']', i + 2);
          if (close < 0) {
            throw new IllegalArgumentException(
                "the pattern '" + Names.safe(pattern) + "' has a [ without its ]");
          }
          String set = p.substring(i + 1, close);
          boolean negated = set.startsWith("!") || set.startsWith("^");
          if (negated) {
            set = set.substring(1);
          }
          re.append('[')
              .append(negated ? "^/" : "")
              .append(set.replace("\\", "\\\\").replace("[", "\\["))
              .append(']');
          i = close;
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    try {
      return new PathGlob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL), anchored);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "the pattern '" + Names.safe(pattern) + "' is not a glob: " + e.getDescription());
    }
  }

  /** Whether this path itself (not a parent of it) matches. */
  public boolean matches(String relPath) {
    String name = anchored ? relPath : relPath.substring(relPath.lastIndexOf('/') + 1);
    return regex.matcher(name).matches();
  }

  /** Whether this path or one of the directories it is in matches. */
  public boolean matchesOrUnder(String relPath) {
    for (int slash = relPath.indexOf('/'); slash >= 0; slash = relPath.indexOf('/', slash + 1)) {
      if (matches(relPath.substring(0, slash))) {
        return true;
      }
    }
    return matches(relPath);
  }

  @Override
  public String toString() {
    return pattern;
  }
}
