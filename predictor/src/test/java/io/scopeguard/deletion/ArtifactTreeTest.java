package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How the predictor sees an unpacked artifact: paths, listings, contents. */
class ArtifactTreeTest {

  private static final ArtifactTree TREE =
      ArtifactTree.ofText(
          Map.of(
              "a.yaml", "a\n",
              "a/x.yaml", "x\n",
              "a/b/z.yaml", "z\n",
              "a-b/y.yaml", "y\n",
              "ab/w.yaml", "w\n",
              "clusters/prod/kustomization.yaml", "resources: []\n"));

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      a/x.yaml              | true  | false
      ./a/x.yaml            | true  | false
      a//x.yaml             | true  | false
      a/b/../x.yaml         | true  | false
      a                     | false | true
      a/                    | false | true
      ./a/b/                | false | true
      ''                    | false | true
      .                     | false | true
      ./                    | false | true
      clusters              | false | true
      a/x                   | false | false
      ../a/x.yaml           | false | false
      a/../../a/x.yaml      | false | false
      A/x.yaml              | false | false
      """)
  void pathsAreReadLikeRelativePaths(String path, boolean file, boolean directory) {
    assertThat(TREE.isFile(path)).as("file").isEqualTo(file);
    assertThat(TREE.isDirectory(path)).as("directory").isEqualTo(directory);
    assertThat(TREE.exists(path)).as("exists").isEqualTo(file || directory);
  }

  @Test
  void listsFilesAndDirectoriesSorted() {
    assertThat(TREE.files())
        .containsExactly(
            "a-b/y.yaml",
            "a.yaml",
            "a/b/z.yaml",
            "a/x.yaml",
            "ab/w.yaml",
            "clusters/prod/kustomization.yaml");
    assertThat(TREE.filesUnder("a")).containsExactly("a/b/z.yaml", "a/x.yaml");
    assertThat(TREE.filesUnder("./a/")).containsExactly("a/b/z.yaml", "a/x.yaml");
    assertThat(TREE.filesUnder("")).hasSize(6);
    assertThat(TREE.filesUnder("clusters")).containsExactly("clusters/prod/kustomization.yaml");
    assertThat(TREE.filesIn("a")).containsExactly("a/x.yaml");
    assertThat(TREE.filesIn("")).containsExactly("a.yaml");
    assertThat(TREE.directoriesIn("")).containsExactly("a", "a-b", "ab", "clusters");
    assertThat(TREE.directoriesIn("a")).containsExactly("a/b");
    assertThat(TREE.filesUnder("missing")).isEmpty();
    assertThat(TREE.filesUnder("..")).isEmpty();
  }

  @Test
  void readsFilesAsUtf8() {
    ArtifactTree tree = ArtifactTree.ofText(Map.of("cm.yaml", "data: grüße ✓\n"));

    assertThat(tree.readUtf8("cm.yaml")).hasValue("data: grüße ✓\n");
    assertThat(tree.readUtf8("missing.yaml")).isEmpty();
    assertThat(tree.readUtf8("")).as("a directory is not a file").isEmpty();
    assertThat(tree.totalBytes())
        .isEqualTo("data: grüße ✓\n".getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void bytesAreCopiedInAndOut() {
    byte[] original = "a: 1\n".getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> files = new HashMap<>(Map.of("a.yaml", original));
    ArtifactTree tree = ArtifactTree.of(files);

    original[0] = 'X';
    tree.read("a.yaml").orElseThrow()[1] = 'X';
    files.put("b.yaml", new byte[1]);

    assertThat(tree.readUtf8("a.yaml")).hasValue("a: 1\n");
    assertThat(tree.files()).containsExactly("a.yaml");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "./a.yaml", "a//b.yaml", "a/", "/a.yaml", "../a.yaml", "a/../b.yaml"})
  void refusesPathsNotInNormalForm(String path) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ArtifactTree.of(Map.of(path, new byte[0])))
        .withMessage("not a normalized file path: '" + path + "'");
  }

  @Test
  void refusesAPathThatIsBothFileAndDirectory() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ArtifactTree.ofText(Map.of("a", "", "a/b", "")))
        .withMessage("'a' is both a file and a directory");
  }

  @Test
  void theEmptyTreeHasOnlyItsRoot() {
    assertThat(ArtifactTree.empty().files()).isEmpty();
    assertThat(ArtifactTree.empty().isDirectory("")).isTrue();
    assertThat(ArtifactTree.empty()).hasToString("ArtifactTree[0 files, 0 directories, 0 bytes]");
  }
}
