package io.scopeguard.deletion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@link SourceFiles} backed by a real directory, for the corpus. */
record DirectorySourceFiles(Path root) implements SourceFiles {

  @Override
  public boolean isFile(String path) {
    return Files.isRegularFile(resolve(path));
  }

  @Override
  public boolean isDirectory(String path) {
    return Files.isDirectory(resolve(path));
  }

  @Override
  public List<String> list(String dir) {
    try (Stream<Path> children = Files.list(resolve(dir))) {
      return children.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public byte[] readBytes(String path) {
    try {
      return Files.readAllBytes(resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path resolve(String path) {
    return path.isEmpty() ? root : root.resolve(path);
  }
}
