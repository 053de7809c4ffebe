package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.scopeguard.deletion.ArtifactException.Reason;
import io.scopeguard.deletion.TarBuilder.LongNames;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the unpacker keeps, and what it refuses with which reason and message: archives are written
 * header by header with {@link TarBuilder}, hostile ones included.
 */
class SafeUntarTest {

  private static final ArtifactLimits DEFAULTS = ArtifactLimits.defaults();
  private static final long MIB = 1 << 20;

  private static ArtifactTree unpack(byte[] gzip) throws ArtifactException {
    return SafeUntar.unpack(new ByteArrayInputStream(gzip), DEFAULTS);
  }

  private static ArtifactException refusal(byte[] gzip, ArtifactLimits limits) {
    ArtifactException refusal =
        catchThrowableOfType(
            ArtifactException.class,
            () -> SafeUntar.unpack(new ByteArrayInputStream(gzip), limits));
    assertThat(refusal).as("refused").isNotNull();
    return refusal;
  }

  private static void assertRefused(
      byte[] gzip, ArtifactLimits limits, Reason reason, String message) {
    ArtifactException refusal = refusal(gzip, limits);
    assertThat(refusal.reason()).as(refusal.getMessage()).isEqualTo(reason);
    assertThat(refusal.getMessage()).isEqualTo(message);
  }

  @ParameterizedTest
  @EnumSource(LongNames.class)
  void keepsFilesInNestedDirectoriesUnderLongPaths(LongNames style) throws Exception {
    String longPath =
        "clusters/production/"
            + "infrastructure-controllers-".repeat(4)
            + "v2/apps/"
            + "a-configmap-with-a-long-name".repeat(2)
            + ".yaml";
    byte[] gzip =
        TarBuilder.tar()
            .longNames(style)
            .dir("./")
            .dir("./clusters/")
            .file("./clusters/production/kustomization.yaml", "resources:\n- apps\n")
            .file(longPath, "kind: ConfigMap\n")
            .dir("clusters/staging/")
            .gzip();

    ArtifactTree tree = unpack(gzip);

    assertThat(longPath).hasSizeGreaterThan(155);
    assertThat(tree.files())
        .containsExactlyInAnyOrder("clusters/production/kustomization.yaml", longPath);
    assertThat(tree.readUtf8(longPath)).hasValue("kind: ConfigMap\n");
    assertThat(tree.readUtf8("clusters/production/kustomization.yaml"))
        .hasValue("resources:\n- apps\n");
    assertThat(tree.filesUnder("clusters/production")).hasSize(2);
    assertThat(tree.isDirectory(longPath.substring(0, longPath.lastIndexOf('/')))).isTrue();
    assertThat(tree.isDirectory("clusters/staging"))
        .as("an empty directory entry is kept")
        .isTrue();
    assertThat(tree.filesUnder("clusters/staging")).isEmpty();
  }

  @Test
  void anArchiveWithoutFilesIsAnEmptyTreeNotAnError() throws Exception {
    ArtifactTree tree = unpack(TarBuilder.tar().gzip());

    assertThat(tree.files()).isEmpty();
    assertThat(tree.totalBytes()).isZero();
    assertThat(tree.isDirectory("")).isTrue();
  }

  @Test
  void anArchiveOfEmptyDirectoriesHasTheDirectoriesButNoFiles() throws Exception {
    ArtifactTree tree =
        unpack(TarBuilder.tar().dir("clusters/").dir("clusters/production/").gzip());

    assertThat(tree.files()).isEmpty();
    assertThat(tree.isDirectory("clusters/production")).isTrue();
    assertThat(tree.isDirectory("clusters/staging")).isFalse();
  }

  @Test
  void gzipHoldingNoTarDataIsAnEmptyTreeAsFluxReadsIt() throws Exception {
    assertThat(unpack(TarBuilder.gzip(new byte[0])).files()).isEmpty();
  }

  @Test
  void zeroBytesAreEmpty() {
    assertRefused(new byte[0], DEFAULTS, Reason.Empty, "artifact is empty (0 bytes)");
  }

  @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
      0 | ../x                 | -                | PathTraversal   | artifact entry '../x' has a '..' segment
      0 | a/../../x            | -                | PathTraversal   | artifact entry 'a/../../x' has a '..' segment
      0 | a/../b               | -                | PathTraversal   | artifact entry 'a/../b' has a '..' segment
      0 | a/..                 | -                | PathTraversal   | artifact entry 'a/..' has a '..' segment
      0 | /etc/passwd          | -                | PathTraversal   | artifact entry '/etc/passwd' is an absolute path
      0 | //etc/passwd         | -                | PathTraversal   | artifact entry '//etc/passwd' is an absolute path
      0 | a\\..\\..\\x         | -                | PathTraversal   | artifact entry 'a\\..\\..\\x' has a backslash in its path
      5 | ../outside/          | -                | PathTraversal   | artifact entry '../outside/' has a '..' segment
      5 | /tmp/                | -                | PathTraversal   | artifact entry '/tmp/' is an absolute path
      6 | ../fifo              | -                | PathTraversal   | artifact entry '../fifo' has a '..' segment
      2 | ../link              | target           | PathTraversal   | artifact entry '../link' has a '..' segment
      2 | a/etc                | ../../etc        | LinkOutsideTree | artifact symlink 'a/etc' points outside the tree, to '../../etc'
      2 | etc                  | /etc             | LinkOutsideTree | artifact symlink 'etc' points outside the tree, to '/etc'
      2 | root                 | ..               | LinkOutsideTree | artifact symlink 'root' points outside the tree, to '..'
      2 | a/b/up               | ./../x/../../..  | LinkOutsideTree | artifact symlink 'a/b/up' points outside the tree, to './../x/../../..'
      1 | passwd               | ../../etc/passwd | LinkOutsideTree | artifact hardlink 'passwd' points outside the tree, to '../../etc/passwd'
      1 | shadow               | /etc/shadow      | LinkOutsideTree | artifact hardlink 'shadow' points outside the tree, to '/etc/shadow'
      1 | a/b/c                | a/../../x        | LinkOutsideTree | artifact hardlink 'a/b/c' points outside the tree, to 'a/../../x'
      """)
  void refusesEntriesThatLeaveTheTree(
      char type, String name, String link, Reason reason, String message) {
    byte[] gzip =
        TarBuilder.tar()
            .file("apps/app.yaml", "kind: ConfigMap\n")
            .entry(type, name, link == null ? "" : link, new byte[0])
            .gzip();

    assertRefused(gzip, DEFAULTS, reason, message);
  }

  @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      2 | apps/latest    | app.yaml
      2 | apps/sibling   | ../other/x.yaml
      2 | apps/deep/root | ../..
      2 | apps/self      | .
      1 | apps/copy      | apps/app.yaml
      1 | apps/copy      | apps/../other/x.yaml
      """)
  void linksInsideTheTreeAreIgnored(char type, String name, String link) throws Exception {
    byte[] gzip =
        TarBuilder.tar()
            .file("apps/app.yaml", "kind: ConfigMap\n")
            .entry(type, name, link, new byte[0])
            .gzip();

    ArtifactTree tree = unpack(gzip);

    assertThat(tree.files()).containsExactly("apps/app.yaml");
    assertThat(tree.exists(name)).isFalse();
  }

  @Test
  void controlCharactersInANameDoNotReachTheMessage() {
    byte[] gzip = TarBuilder.tar().file("../\u001b[2Jx\nEvent: fake", "").gzip();

    assertRefused(
        gzip,
        DEFAULTS,
        Reason.PathTraversal,
        "artifact entry '../?[2Jx?Event: fake' has a '..' segment");
  }

  /** Files as {@code path:size}; a path ending in {@code /} is a directory. */
  private static byte[] archive(String files) {
    TarBuilder tar = TarBuilder.tar();
    for (String file : files.split(";")) {
      if (file.endsWith("/")) {
        tar.dir(file);
      } else {
        String[] pathAndSize = file.split(":");
        tar.file(pathAndSize[0], new byte[Integer.parseInt(pathAndSize[1])]);
      }
    }
    return tar.gzip();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
      every limit just met              | a.yaml:1024;b/c.yaml:1024   | 2 | 1024 | 2048 | 2 | -            | -
      one entry too many                | a:1;b:1;c:1                 | 2 | 1024 | 2048 | 2 | TooManyFiles | artifact holds more than 2 entries (limit maxFiles)
      directories are entries           | a/;b/;c/                    | 2 | 1024 | 2048 | 2 | TooManyFiles | artifact holds more than 2 entries (limit maxFiles)
      file one byte too large           | a.yaml:1;b.yaml:1025        | 2 | 1024 | 2048 | 2 | TooLarge     | artifact file 'b.yaml' is larger than 1 KiB (limit maxFileBytes)
      files together too large          | a:1024;b:1024;c:1           | 3 | 1024 | 2048 | 2 | TooLarge     | artifact expands beyond 2 KiB (limit maxTotalBytes)
      a file too deep                   | a/b/c.yaml:1                | 2 | 1024 | 2048 | 2 | TooDeep      | artifact entry 'a/b/c.yaml' is deeper than 2 path segments (limit maxDepth)
      a directory too deep              | a/b/c/                      | 2 | 1024 | 2048 | 2 | TooDeep      | artifact entry 'a/b/c/' is deeper than 2 path segments (limit maxDepth)
      dot segments are not depth        | ./a/./b.yaml:1              | 2 | 1024 | 2048 | 2 | -            | -
      """)
  void enforcesEveryLimit(
      String name,
      String files,
      int maxFiles,
      long maxFileBytes,
      long maxTotalBytes,
      int maxDepth,
      Reason reason,
      String message)
      throws Exception {
    ArtifactLimits limits =
        new ArtifactLimits(MIB, maxTotalBytes, maxFileBytes, maxFiles, maxDepth, 100);

    if (reason == null) {
      assertThat(SafeUntar.unpack(new ByteArrayInputStream(archive(files)), limits).files())
          .isNotEmpty();
    } else {
      assertRefused(archive(files), limits, reason, message);
    }
  }

  @Test
  void aGzipBombIsRefusedByItsRatioLongBeforeItIsRead() {
    byte[] bomb = TarBuilder.gzipped().zeros("bomb.yaml", 64 * MIB).gzip();
    ArtifactLimits roomy = new ArtifactLimits(50 * MIB, 1024 * MIB, 1024 * MIB, 20_000, 30, 100);
    Counting input = new Counting(bomb);

    ArtifactException refusal =
        catchThrowableOfType(ArtifactException.class, () -> SafeUntar.unpack(input, roomy));

    assertThat(refusal.reason()).isEqualTo(Reason.CompressionRatio);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact expands more than 100 times its compressed size (limit maxRatio)");
    assertThat(input.count)
        .as("compressed bytes read of %d", bomb.length)
        .isLessThan(bomb.length / 20);
  }

  @Test
  void aGzipBombIsRefusedByTheTotalLongBeforeItIsRead() {
    TarBuilder tar = TarBuilder.gzipped();
    for (int i = 0; i < 64; i++) {
      tar.zeros("layer-" + i + ".yaml", MIB);
    }
    byte[] bomb = tar.gzip();
    ArtifactLimits noRatio =
        new ArtifactLimits(50 * MIB, 8 * MIB, 2 * MIB, 20_000, 30, Integer.MAX_VALUE);
    Counting input = new Counting(bomb);

    ArtifactException refusal =
        catchThrowableOfType(ArtifactException.class, () -> SafeUntar.unpack(input, noRatio));

    assertThat(refusal.reason()).isEqualTo(Reason.TooLarge);
    assertThat(refusal.getMessage())
        .isEqualTo("artifact expands beyond 8 MiB (limit maxTotalBytes)");
    assertThat(input.count)
        .as("compressed bytes read of %d", bomb.length)
        .isLessThan(bomb.length / 4);
  }

  @Test
  void bytesOfSkippedEntriesCountTowardTheRatio() {
    byte[] bomb = TarBuilder.gzipped().zeros('g', "pax_global_header", 64 * MIB).gzip();

    assertRefused(
        bomb,
        DEFAULTS,
        Reason.CompressionRatio,
        "artifact expands more than 100 times its compressed size (limit maxRatio)");
  }

  @Test
  void padAfterTheEndOfTheArchiveCountsTowardTheRatio() {
    byte[] bomb =
        TarBuilder.gzipped().file("a.yaml", "a: 1\n").raw(new byte[64 * (int) MIB]).gzip();

    assertRefused(
        bomb,
        DEFAULTS,
        Reason.CompressionRatio,
        "artifact expands more than 100 times its compressed size (limit maxRatio)");
  }

  @Test
  void aSmallRepetitiveArchiveIsWithinTheRatioGrace() throws Exception {
    ArtifactTree tree =
        unpack(TarBuilder.gzipped().zeros("big-but-boring.yaml", 512 * 1024).gzip());

    assertThat(tree.totalBytes()).isEqualTo(512 * 1024);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      octal size in the header | 0
      base-256 size            | 1
      """)
  void aHeaderClaimingAHugeFileIsRefusedBeforeItsDataIsRead(String name, int base256) {
    TarBuilder tar = TarBuilder.tar();
    if (base256 == 1) {
      tar.base256Sizes();
    }
    byte[] gzip = tar.headerOnly('0', "huge.yaml", 1L << 40).gzip();

    assertRefused(
        gzip,
        DEFAULTS,
        Reason.TooLarge,
        "artifact file 'huge.yaml' is larger than 10 MiB (limit maxFileBytes)");
  }

  @Test
  void aPaxSizeOverridesTheHeaderSize() {
    byte[] gzip =
        TarBuilder.tar()
            .pax("size", String.valueOf(11 * MIB))
            .headerOnly('0', "small.yaml", 10)
            .gzip();

    assertRefused(
        gzip,
        DEFAULTS,
        Reason.TooLarge,
        "artifact file 'small.yaml' is larger than 10 MiB (limit maxFileBytes)");
  }

  @Test
  void sizesInBase256AreRead() throws Exception {
    ArtifactTree tree =
        unpack(
            TarBuilder.tar()
                .base256Sizes()
                .file("a.yaml", "a: 1\n")
                .file("b.yaml", "b: 2\n")
                .gzip());

    assertThat(tree.readUtf8("b.yaml")).hasValue("b: 2\n");
  }

  @Test
  void aDownloadLargerThanTheCompressedLimitIsRefused() {
    byte[] noise = new byte[8 * 1024];
    new Random(7).nextBytes(noise);
    byte[] gzip = TarBuilder.tar().file("noise.bin", noise).gzip();
    ArtifactLimits limits = new ArtifactLimits(4 * 1024, MIB, MIB, 10, 10, 100);

    assertRefused(
        gzip,
        limits,
        Reason.TooLarge,
        "artifact is larger than 4 KiB compressed (limit maxCompressedBytes)");
  }

  /**
   * The limit falls in a second gzip member, at or just after its header. Read a byte at a time, as
   * a slow network delivers it, the header is read where GZIPInputStream swallows errors.
   */
  @ParameterizedTest(name = "[{index}] limit {0} bytes past the first member, {1} bytes per read")
  @CsvSource({
    "0, 1",
    "1, 1",
    "5, 1",
    "9, 1",
    "10, 1",
    "11, 1",
    "100, 1",
    "0, 512",
    "5, 512",
    "600, 512"
  })
  void aFurtherGzipMemberPastTheCompressedLimitIsRefused(int pastFirst, int perRead) {
    byte[] first = TarBuilder.tar().file("a.yaml", "a: 1\n").gzip();
    byte[] noise = new byte[4096];
    new Random(5).nextBytes(noise);
    byte[] second = TarBuilder.gzip(noise);
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    ArtifactLimits limits = new ArtifactLimits(first.length + pastFirst, MIB, MIB, 10, 10, 100);
    InputStream trickle =
        new FilterInputStream(new ByteArrayInputStream(both)) {
          @Override
          public int read(byte[] buffer, int offset, int length) throws IOException {
            return super.read(buffer, offset, Math.min(length, perRead));
          }
        };

    ArtifactException refusal =
        catchThrowableOfType(ArtifactException.class, () -> SafeUntar.unpack(trickle, limits));

    assertThat(refusal).isNotNull();
    assertThat(refusal.reason()).isEqualTo(Reason.TooLarge);
    assertThat(refusal.getMessage())
        .isEqualTo(
            "artifact is larger than "
                + ArtifactLimits.bytes(first.length + pastFirst)
                + " compressed (limit maxCompressedBytes)");
  }

  @ParameterizedTest(name = "[{index}] {0} bytes cut")
  @ValueSource(ints = {1, 4, 8, 9, 100})
  void aGzipStreamCutShortIsTruncated(int cut) {
    byte[] noise = new byte[4096];
    new Random(3).nextBytes(noise);
    byte[] gzip = TarBuilder.tar().file("a.yaml", noise).gzip();

    assertRefused(
        Arrays.copyOf(gzip, gzip.length - cut),
        DEFAULTS,
        Reason.Truncated,
        "artifact's gzip stream ends early");
  }

  @ParameterizedTest(name = "[{index}] cut at {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      100  | artifact ends in the middle of a tar header
      800  | artifact ends in the middle of entry 'a.yaml'
      1524 | artifact ends in the middle of entry 'a.yaml'
      1600 | artifact ends in the middle of a tar header
      2100 | artifact ends in the middle of entry 'b/c.yaml'
      """)
  void aTarStreamCutShortIsTruncated(int length, String message) {
    byte[] tar =
        TarBuilder.tar().file("a.yaml", new byte[1000]).file("b/c.yaml", new byte[10]).tarBytes();

    assertRefused(TarBuilder.gzip(Arrays.copyOf(tar, length)), DEFAULTS, Reason.Truncated, message);
  }

  @Test
  void anArchiveEndingAtAnEntryBoundaryWithoutEndBlocksIsReadAsFluxReadsIt() throws Exception {
    byte[] tar = TarBuilder.tar().file("a.yaml", "a: 1\n").tarBytesWithoutEnd();

    assertThat(unpack(TarBuilder.gzip(tar)).files()).containsExactly("a.yaml");
  }

  @Test
  void oneEndBlockIsEnough() throws Exception {
    byte[] tar = TarBuilder.tar().file("a.yaml", "a: 1\n").raw(new byte[512]).tarBytesWithoutEnd();

    assertThat(unpack(TarBuilder.gzip(tar)).files()).containsExactly("a.yaml");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      not gzip              | artifact is not gzip-compressed
      gzip but not tar      | artifact has a tar header with a wrong checksum: it is not a tar archive, or it is damaged
      damaged header        | artifact has a tar header with a wrong checksum: it is not a tar archive, or it is damaged
      entry after end block | artifact has a tar header after its end-of-archive block
      file then directory   | artifact holds 'a' both as a file and as a directory
      directory then file   | artifact holds 'a' both as a file and as a directory
      sparse file           | artifact entry 'sparse.yaml' is a sparse or multi-volume file, which scopeguard does not read
      pax sparse file       | artifact entry 'sparse.yaml' is a sparse or multi-volume file, which scopeguard does not read
      bad pax record        | artifact has a malformed pax header
      file named dot        | artifact has a file entry without a name
      v7 with a prefix      | artifact has an old-style (V7) tar header with bytes in the ustar prefix field: tar readers disagree on its name
      """)
  void refusesWhatIsNotAWellFormedArchive(String name, String message) {
    byte[] gzip =
        switch (name) {
          case "not gzip" -> "<html>404</html>".getBytes(StandardCharsets.UTF_8);
          case "gzip but not tar" ->
              TarBuilder.gzip(
                  "apiVersion: v1\nkind: ConfigMap\n".repeat(40).getBytes(StandardCharsets.UTF_8));
          case "damaged header" -> {
            byte[] header = TarBuilder.headerBlock('0', "a.yaml", 0);
            header[0] = 'b';
            yield TarBuilder.tar().raw(header).gzip();
          }
          case "entry after end block" ->
              TarBuilder.tar().raw(new byte[512]).file("a.yaml", "").gzip();
          case "file then directory" -> TarBuilder.tar().file("a", "").file("a/b.yaml", "").gzip();
          case "directory then file" -> TarBuilder.tar().dir("a/").file("a", "").gzip();
          case "sparse file" -> TarBuilder.tar().entry('S', "sparse.yaml", "", new byte[0]).gzip();
          case "pax sparse file" ->
              TarBuilder.tar().pax("GNU.sparse.map", "0,0").file("sparse.yaml", "").gzip();
          case "bad pax record" ->
              TarBuilder.tar()
                  .entry('x', "PaxHeaders/a", "", "99 path=a\n".getBytes(StandardCharsets.UTF_8))
                  .file("a.yaml", "")
                  .gzip();
          case "file named dot" -> TarBuilder.tar().file("./", "").gzip();
          case "v7 with a prefix" -> {
            byte[] header = TarBuilder.headerBlock('0', "a.yaml", 0);
            Arrays.fill(header, 257, 265, (byte) 0);
            header[345] = 'x';
            Arrays.fill(header, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte b : header) {
              sum += b & 0xff;
            }
            byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(checksum, 0, header, 148, 8);
            yield TarBuilder.tar().raw(header).gzip();
          }
          default -> throw new IllegalArgumentException(name);
        };

    assertRefused(gzip, DEFAULTS, Reason.Malformed, message);
  }

  @Test
  void devicesFifosAndGlobalHeadersAreSkipped() throws Exception {
    byte[] gzip =
        TarBuilder.tar()
            .paxGlobal("comment", "made by git archive")
            .entry('3', "dev/tty", "", new byte[0])
            .entry('4', "dev/sda", "", new byte[0])
            .entry('6', "run/fifo", "", new byte[0])
            .entry('V', "volume label", "", new byte[0])
            .file("apps/app.yaml", "kind: ConfigMap\n")
            .gzip();

    ArtifactTree tree = unpack(gzip);

    assertThat(tree.files()).containsExactly("apps/app.yaml");
    assertThat(tree.exists("dev")).isFalse();
  }

  @Test
  void aLaterEntryForTheSamePathWins() throws Exception {
    byte[] gzip = TarBuilder.tar().file("a.yaml", "first\n").file("./a.yaml", "second\n").gzip();

    assertThat(unpack(gzip).readUtf8("a.yaml")).hasValue("second\n");
  }

  @Test
  void anOldStyleEntryEndingInASlashIsADirectory() throws Exception {
    ArtifactTree tree =
        unpack(
            TarBuilder.tar()
                .entry('\0', "old/", "", new byte[0])
                .entry('\0', "old/a.yaml", "", new byte[3])
                .gzip());

    assertThat(tree.isDirectory("old")).isTrue();
    assertThat(tree.files()).containsExactly("old/a.yaml");
  }

  @Test
  void aPaxPathAndAGnuLongNameNameTheNextEntryOnly() throws Exception {
    byte[] gzip =
        TarBuilder.tar()
            .pax("path", "from/pax.yaml")
            .file("ignored.yaml", "pax\n")
            .file("plain.yaml", "plain\n")
            .gzip();

    assertThat(unpack(gzip).files()).containsExactly("from/pax.yaml", "plain.yaml");
  }

  @Test
  void aLaterPaxHeaderOrAGlobalHeaderReplacesAnEarlierPaxHeaderAsInGo() throws Exception {
    byte[] gzip =
        TarBuilder.tar()
            .pax("path", "replaced.yaml")
            .pax("comment", "second")
            .file("named-by-header.yaml", "")
            .pax("path", "ended.yaml")
            .paxGlobal("comment", "global")
            .file("also-by-header.yaml", "")
            .gzip();

    assertThat(unpack(gzip).files()).containsExactly("also-by-header.yaml", "named-by-header.yaml");
  }

  /** Commons Compress drops the leading slash of a long name; the unpacker must still see it. */
  @ParameterizedTest
  @EnumSource(LongNames.class)
  void anAbsoluteLongNameIsRefused(LongNames style) {
    String name = "/" + "etc/".repeat(30) + "passwd";
    byte[] gzip = TarBuilder.tar().longNames(style).file(name, "").gzip();

    ArtifactException refusal = refusal(gzip, DEFAULTS);

    assertThat(refusal.reason()).isEqualTo(Reason.PathTraversal);
    assertThat(refusal.getMessage())
        .startsWith("artifact entry '/etc/")
        .endsWith("is an absolute path");
  }

  /** Go reads no data for a link whatever its header says, so what follows is the next header. */
  @Test
  void aLinkWhoseHeaderClaimsDataHasNoneAsInGo() throws Exception {
    byte[] smuggled =
        TarBuilder.tar().file("smuggled.yaml", "kind: ConfigMap\n").tarBytesWithoutEnd();
    byte[] gzip =
        TarBuilder.tar().entry('2', "link", "target", smuggled).file("after.yaml", "").gzip();

    assertThat(unpack(gzip).files()).contains("smuggled.yaml");
  }

  /** Counts the compressed bytes the unpacker pulls. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(byte[] bytes) {
      super(new ByteArrayInputStream(bytes));
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      count += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      count += Math.max(n, 0);
      return n;
    }
  }
}
