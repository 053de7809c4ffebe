package io.scopeguard.deletion;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link SourceFiles} held in memory: normalized path to content; directories are implied by paths.
 */
final class MapSourceFiles implements SourceFiles {

  private final TreeMap<String, byte[]> files = new TreeMap<>();

  /** Files from alternating path and text arguments. */
  static MapSourceFiles of(String... pathsAndTexts) {
    MapSourceFiles source = new MapSourceFiles();
    for (int i = 0; i < pathsAndTexts.length; i += 2) {
      source.put(pathsAndTexts[i], pathsAndTexts[i + 1]);
    }
    return source;
  }

  MapSourceFiles put(String path, String text) {
    return put(path, text.getBytes(StandardCharsets.UTF_8));
  }

  MapSourceFiles put(String path, byte[] content) {
    files.put(path, content);
    return this;
  }

  @Override
  public boolean isFile(String path) {
    return files.containsKey(path);
  }

  @Override
  public boolean isDirectory(String path) {
    String next = files.ceilingKey(path + "/");
    return path.isEmpty() || (next != null && next.startsWith(path + "/"));
  }

  @Override
  public List<String> list(String dir) {
    String prefix = dir.isEmpty() ? "" : dir + "/";
    TreeSet<String> children = new TreeSet<>();
    for (String path : files.subMap(prefix, prefix + Character.MAX_VALUE).keySet()) {
      String rest = path.substring(prefix.length());
      children.add(rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
    }
    return List.copyOf(children);
  }

  List<String> paths() {
    return List.copyOf(files.keySet());
  }

  @Override
  public byte[] readBytes(String path) {
    byte[] content = files.get(path);
    if (content == null) {
      throw new IllegalArgumentException("no file " + path);
    }
    return content;
  }
}
