package io.scopeguard.scope;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One allowed-source pattern of a ClusterScope. {@code *} matches within one path segment, {@code
 * **} across segments, {@code ?} one character; all else is literal. URLs and patterns are compared
 * after normalising: scheme lower-cased, one trailing {@code /} and a trailing {@code .git}
 * dropped.
 */
public final class SourceGlob {

  private final String text;
  private final Pattern pattern;

  private SourceGlob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  public static SourceGlob of(String glob) {
    String normalized = normalize(glob);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < normalized.length(); i++) {
      char c = normalized.charAt(i);
      if (c == '*' && i + 1 < normalized.length() && normalized.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new SourceGlob(glob, Pattern.compile(regex.toString()));
  }

  /**
   * Whether the URL is allowed; a URL with {@code .} or {@code ..} segments, or encoded dots or
   * slashes, never is.
   */
  public boolean matches(String url) {
    return url != null && !evasive(url) && pattern.matcher(normalize(url)).matches();
  }

  private static boolean evasive(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("\\")
        || Arrays.stream(lower.split("[/?#]"))
            .anyMatch(segment -> segment.equals("..") || segment.equals("."));
  }

  @Override
  public String toString() {
    return text;
  }

  static String normalize(String url) {
    String value = url.trim();
    int scheme = value.indexOf("://");
    if (scheme > 0) {
      value = value.substring(0, scheme).toLowerCase(Locale.ROOT) + value.substring(scheme);
    }
    if (value.endsWith("/")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.endsWith(".git")) {
      value = value.substring(0, value.length() - 4);
    }
    return value;
  }
}
