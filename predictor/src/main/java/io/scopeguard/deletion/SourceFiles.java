package io.scopeguard.deletion;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The files of an unpacked source artifact, as the predictor reads them.
 *
 * <p>Paths are relative to the artifact root, separated by {@code /}, without {@code .} or {@code
 * ..} segments and without a leading or trailing {@code /}; the root itself is {@code ""}.
 */
public interface SourceFiles {

  boolean isFile(String path);

  boolean isDirectory(String path);

  /**
   * The names (not paths) of the files and directories directly inside {@code dir}, in any order.
   */
  List<String> list(String dir);

  /** The content of the file at {@code path}. */
  byte[] readBytes(String path);

  /** The content of the file at {@code path} decoded as UTF-8. */
  default String read(String path) {
    return new String(readBytes(path), StandardCharsets.UTF_8);
  }
}
