package io.scopeguard.deletion;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Paths inside a source artifact, resolved the way Flux's confined file system resolves them. */
final class SourcePaths {

  private static final List<String> REMOTE_PREFIXES =
      List.of(
          "git::",
          "gh:",
          "ssh://",
          "https://",
          "http://",
          "file://",
          "git@",
          "github.com:",
          "github.com/");

  /** SCP-like {@code user@host:path}, which kustomize also takes for a git repository. */
  private static final Pattern SCP_LIKE = Pattern.compile("^[^/@:]+@[^/:]+:.*");

  private SourcePaths() {}

  /**
   * {@code relative} resolved against {@code dir}.
   *
   * @throws BuildFailure when the result leaves the artifact or the path is absolute
   */
  static String resolve(String dir, String relative, String where) {
    if (relative.startsWith("/")) {
      throw new BuildFailure("absolute path " + relative + " in " + where);
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : (dir + "/" + relative).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw new BuildFailure(relative + " in " + where + " points outside the source artifact");
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /** A Kustomization's {@code spec.path}: {@code ..} never climbs above the artifact root. */
  static String clamp(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : (path == null ? "" : path).split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /** Whether kustomize would fetch this entry from a URL or a git repository. */
  static boolean isRemote(String entry) {
    String lower = entry.toLowerCase(Locale.ROOT);
    return REMOTE_PREFIXES.stream().anyMatch(lower::startsWith)
        || SCP_LIKE.matcher(entry).matches();
  }

  static String join(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** Whether {@code dir} is {@code other} or one of its parents. */
  static boolean isSameOrAbove(String dir, String other) {
    return dir.isEmpty() || other.equals(dir) || other.startsWith(dir + "/");
  }
}
