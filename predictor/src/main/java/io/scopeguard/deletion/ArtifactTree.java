package io.scopeguard.deletion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An unpacked source artifact held in memory: its regular files by path, and the directories that
 * exist in it (every parent of a file, and every directory entry of the archive, empty or not).
 *
 * <p>Paths are relative to the artifact's root, with forward slashes, no {@code ./} and no trailing
 * slash; the root itself is {@code ""}. Paths given to the query methods are read the same way and
 * resolved lexically, so {@code ./apps/../base/} asks for {@code base}; a path that climbs above
 * the root names nothing. Immutable: bytes are copied in and out.
 */
public final class ArtifactTree {

  private static final ArtifactTree EMPTY = new ArtifactTree(new TreeMap<>(), new TreeSet<>());

  private final NavigableMap<String, byte[]> files;
  private final NavigableSet<String> directories;
  private final long totalBytes;

  /**
   * Takes ownership of both collections; {@code directories} must hold every parent of every file.
   */
  ArtifactTree(NavigableMap<String, byte[]> files, NavigableSet<String> directories) {
    this.files = Collections.unmodifiableNavigableMap(files);
    this.directories = Collections.unmodifiableNavigableSet(directories);
    this.totalBytes = files.values().stream().mapToLong(bytes -> bytes.length).sum();
  }

  /** An artifact with no files: what Flux builds into zero objects. */
  public static ArtifactTree empty() {
    return EMPTY;
  }

  /**
   * A tree of the given files; their parents are its directories.
   *
   * @throws IllegalArgumentException when a path is not in the normal form described above, or a
   *     file's path is also another file's directory
   */
  public static ArtifactTree of(Map<String, byte[]> files) {
    NavigableMap<String, byte[]> copy = new TreeMap<>();
    NavigableSet<String> directories = new TreeSet<>();
    files.forEach(
        (path, bytes) -> {
          if (path.isEmpty() || !path.equals(normalize(path))) {
            throw new IllegalArgumentException("not a normalized file path: '" + path + "'");
          }
          copy.put(path, bytes.clone());
          for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            directories.add(path.substring(0, slash));
          }
        });
    for (String directory : directories) {
      if (copy.containsKey(directory)) {
        throw new IllegalArgumentException("'" + directory + "' is both a file and a directory");
      }
    }
    return new ArtifactTree(copy, directories);
  }

  /** {@link #of} for text files, encoded as UTF-8. */
  public static ArtifactTree ofText(Map<String, String> files) {
    Map<String, byte[]> bytes = new TreeMap<>();
    files.forEach((path, text) -> bytes.put(path, text.getBytes(StandardCharsets.UTF_8)));
    return of(bytes);
  }

  public boolean isFile(String path) {
    String key = normalize(path);
    return key != null && files.containsKey(key);
  }

  /** True for the root and for every directory the artifact holds. */
  public boolean isDirectory(String path) {
    String key = normalize(path);
    return key != null && (key.isEmpty() || directories.contains(key));
  }

  public boolean exists(String path) {
    return isFile(path) || isDirectory(path);
  }

  /** A copy of the file's bytes; empty when no such regular file exists. */
  public Optional<byte[]> read(String path) {
    String key = normalize(path);
    return key == null ? Optional.empty() : Optional.ofNullable(files.get(key)).map(byte[]::clone);
  }

  /** The file decoded as UTF-8, malformed sequences replaced; empty when no such file exists. */
  public Optional<String> readUtf8(String path) {
    String key = normalize(path);
    return key == null
        ? Optional.empty()
        : Optional.ofNullable(files.get(key))
            .map(bytes -> new String(bytes, StandardCharsets.UTF_8));
  }

  /** Every file, sorted. */
  public List<String> files() {
    return List.copyOf(files.keySet());
  }

  /** Files anywhere below {@code directory}, sorted; empty when it does not exist. */
  public List<String> filesUnder(String directory) {
    String key = normalize(directory);
    if (key == null) {
      return List.of();
    }
    return List.copyOf(key.isEmpty() ? files.keySet() : below(files.navigableKeySet(), key));
  }

  /** Files directly in {@code directory}, sorted. */
  public List<String> filesIn(String directory) {
    return direct(files.navigableKeySet(), directory);
  }

  /** Directories directly in {@code directory}, sorted. */
  public List<String> directoriesIn(String directory) {
    return direct(directories, directory);
  }

  /** This tree as the predictor reads sources. */
  public SourceFiles asSourceFiles() {
    return new SourceFiles() {
      @Override
      public boolean isFile(String path) {
        return ArtifactTree.this.isFile(path);
      }

      @Override
      public boolean isDirectory(String path) {
        return ArtifactTree.this.isDirectory(path);
      }

      @Override
      public List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        for (String path : filesIn(dir)) {
          names.add(path.substring(path.lastIndexOf('/') + 1));
        }
        for (String path : directoriesIn(dir)) {
          names.add(path.substring(path.lastIndexOf('/') + 1));
        }
        return names;
      }

      @Override
      public byte[] readBytes(String path) {
        return ArtifactTree.this
            .read(path)
            .orElseThrow(
                () -> new IllegalArgumentException("no file " + path + " in the artifact"));
      }
    };
  }

  public int fileCount() {
    return files.size();
  }

  /** The sum of the files' sizes. */
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public String toString() {
    return "ArtifactTree["
        + ArtifactLimits.count(files.size())
        + " files, "
        + directories.size()
        + " directories, "
        + ArtifactLimits.bytes(totalBytes)
        + "]";
  }

  private static List<String> direct(NavigableSet<String> paths, String directory) {
    String key = normalize(directory);
    if (key == null) {
      return List.of();
    }
    NavigableSet<String> candidates = key.isEmpty() ? paths : below(paths, key);
    int start = key.isEmpty() ? 0 : key.length() + 1;
    List<String> result = new ArrayList<>();
    for (String path : candidates) {
      if (path.indexOf('/', start) < 0) {
        result.add(path);
      }
    }
    return List.copyOf(result);
  }

  /**
   * Paths that start with {@code directory/}: in a sorted set they run up to {@code directory0}.
   */
  private static NavigableSet<String> below(NavigableSet<String> paths, String directory) {
    return paths.subSet(directory + '/', true, directory + (char) ('/' + 1), false);
  }

  /** The normal form of a path, or null when it climbs above the root. */
  static String normalize(String path) {
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (segments.pollLast() == null) {
          return null;
        }
      } else {
        segments.addLast(segment);
      }
    }
    return String.join("/", segments);
  }
}
