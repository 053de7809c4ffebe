package io.scopeguard.deletion;

import io.scopeguard.deletion.ArtifactException.Reason;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarUtils;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;
import org.apache.commons.compress.utils.ArchiveUtils;

/**
 * Unpacks a Flux source artifact, a gzip-compressed tar archive, into an {@link ArtifactTree} in
 * memory, refusing what could escape the tree or exhaust the operator.
 *
 * <p>Reads ustar, GNU and pax archives: long names from GNU {@code L}/{@code K} entries and pax
 * {@code path}/{@code linkpath}, sizes from pax {@code size}; pax global headers are skipped.
 * Regular files are kept; directories are implied by the files in them, and directory entries are
 * kept as directories (an empty directory Flux can build). Symlinks and hardlinks are never
 * followed: one whose target, resolved lexically, lies outside the tree is refused ({@code
 * LinkOutsideTree}); one inside is ignored, as are devices and fifos. Sparse and multi-volume
 * entries are refused.
 *
 * <p>Every name is checked: an absolute path, a backslash or any {@code ..} segment is refused
 * ({@code PathTraversal}). Every {@link ArtifactLimits limit} is enforced while streaming: sizes
 * from headers are checked before their data is read, compressed and inflated bytes are counted as
 * they arrive, and inflated bytes count toward the ratio whatever entry they belong to.
 *
 * <p>An archive with no files is a valid, empty tree: Flux builds it into zero objects, which is
 * exactly what the guard must see. So is a gzip stream that holds no tar data at all, which Flux's
 * reader also takes for an empty archive; only zero bytes of input are {@code Empty}. An archive
 * that stops at an entry boundary without the end-of-archive blocks is read as complete, as Flux's
 * own tar reader reads it; one that stops inside a header or an entry's data, or a gzip stream that
 * stops before its trailer, is {@code Truncated}.
 *
 * <p>Each 512-byte header is read by Apache Commons Compress ({@link TarArchiveEntry}: checksum,
 * octal and base-256 numbers, ustar and star prefixes, names), and so is each GNU long name. The
 * walk from header to header, and the pax records, stay here, under the limit streams, because
 * {@code TarArchiveInputStream} reads archives differently from Go's reader: an earlier pax header
 * wins over a later one, a global header applies to every later entry, the leading {@code /} of a
 * pax or GNU long name is dropped (hiding an absolute path), the data of a link or device is
 * skipped by its size where Go reads none, long names are read whatever their size, each extended
 * header recurses (a long chain overflows the stack), and a partial last block, a bad checksum or a
 * header after the end-of-archive block pass unnoticed. Its pax parser is not public API.
 */
public final class SafeUntar {

  private static final int BLOCK = 512;
  private static final int SIZE_FIELD = 124;

  /** The largest pax or GNU long-name entry read, as Go's tar reader allows. */
  private static final int MAX_METADATA_BYTES = 1 << 20;

  private static final int MAX_NAME_CHARS = 4096;
  private static final int MAX_QUOTED_CHARS = 160;

  /** Names as Go reads them: UTF-8, a malformed byte replaced rather than refused. */
  private static final ZipEncoding NAMES = ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8);

  private SafeUntar() {}

  /**
   * Reads {@code gzip} to its end; the caller closes it.
   *
   * @throws ArtifactException for any archive that is not a complete, well-formed tar.gz within
   *     {@code limits}, with the reason and a message naming the limit
   */
  public static ArtifactTree unpack(InputStream gzip, ArtifactLimits limits)
      throws ArtifactException {
    Compressed compressed = new Compressed(gzip, limits.maxCompressedBytes());
    try {
      int first = compressed.read();
      if (first < 0) {
        throw new ArtifactException(Reason.Empty, "artifact is empty (0 bytes)");
      }
      PushbackInputStream input = new PushbackInputStream(compressed, 1);
      input.unread(first);
      GZIPInputStream gunzip;
      try {
        gunzip = new GZIPInputStream(input);
      } catch (ZipException e) {
        throw new ArtifactException(Reason.Malformed, "artifact is not gzip-compressed", e);
      }
      Inflated inflated = new Inflated(gunzip, compressed, limits.maxRatio());
      ArtifactTree tree = new TarReader(inflated, limits).read();
      inflated.drain();
      compressed.rethrowSwallowedRefusal();
      return tree;
    } catch (Refusal refusal) {
      throw refusal.exception;
    } catch (EOFException e) {
      throw new ArtifactException(Reason.Truncated, "artifact's gzip stream ends early", e);
    } catch (ZipException e) {
      throw new ArtifactException(
          Reason.Malformed, "artifact's gzip stream is corrupt: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ArtifactException(
          Reason.Truncated, "artifact could not be read to its end: " + e, e);
    }
  }

  /** A path for a message: control characters masked, long ones shortened. */
  static String quote(String path) {
    StringBuilder quoted = new StringBuilder("'");
    for (int i = 0; i < path.length() && i < MAX_QUOTED_CHARS; i++) {
      char c = path.charAt(i);
      quoted.append(Character.isISOControl(c) ? '?' : c);
    }
    return quoted.append(path.length() > MAX_QUOTED_CHARS ? "…'" : "'").toString();
  }

  private static final class TarReader {

    private final InputStream in;
    private final ArtifactLimits limits;
    private final byte[] block = new byte[BLOCK];
    private final NavigableMap<String, byte[]> files = new TreeMap<>();
    private final NavigableSet<String> directories = new TreeSet<>();
    private long fileBytes;
    private int entries;

    TarReader(InputStream in, ArtifactLimits limits) {
      this.in = in;
      this.limits = limits;
    }

    ArtifactTree read() throws IOException, ArtifactException {
      Extended extended = new Extended();
      for (TarArchiveEntry header = nextHeader(); header != null; header = nextHeader()) {
        switch (header.getLinkFlag()) {
          case 'x' -> extended.pax(readMetadata(header.getSize()));
          case 'g' -> {
            skip(header.getSize(), "a pax global header");
            extended = new Extended();
          }
          case 'L' -> extended.longName = longName(header);
          case 'K' -> extended.longLink = longName(header);
          default -> {
            entry(header, extended);
            extended = new Extended();
          }
        }
      }
      return new ArtifactTree(files, directories);
    }

    /** The next header as Commons Compress reads it, or null at the end of the archive. */
    private TarArchiveEntry nextHeader() throws IOException, ArtifactException {
      if (!readBlock()) {
        return null;
      }
      if (ArchiveUtils.isArrayZero(block, BLOCK)) {
        if (!readBlock() || ArchiveUtils.isArrayZero(block, BLOCK)) {
          return null;
        }
        throw malformed("artifact has a tar header after its end-of-archive block");
      }
      if (!checksumMatches(block)) {
        throw malformed(
            "artifact has a tar header with a wrong checksum: it is not a tar archive, or it is damaged");
      }
      if (sizeStartsWithNul(block)) {
        throw malformed("artifact has a tar header whose size field starts with a NUL byte");
      }
      if (v7WithPrefix(block)) {
        throw malformed(
            "artifact has an old-style (V7) tar header with bytes in the ustar prefix field:"
                + " tar readers disagree on its name");
      }
      try {
        return new TarArchiveEntry(block, NAMES, true);
      } catch (IOException | RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw malformed("artifact has a malformed tar header: " + quote(cause.getMessage()));
      }
    }

    /** A GNU long name or link target: up to its first NUL, as Go reads it. */
    private String longName(TarArchiveEntry header) throws IOException, ArtifactException {
      byte[] data = readMetadata(header.getSize());
      return TarUtils.parseName(data, 0, data.length, NAMES);
    }

    private void entry(TarArchiveEntry header, Extended extended)
        throws IOException, ArtifactException {
      String name =
          extended.longName != null
              ? extended.longName
              : extended.paxPath != null ? extended.paxPath : header.getName();
      String link =
          extended.longLink != null
              ? extended.longLink
              : extended.paxLinkpath != null ? extended.paxLinkpath : header.getLinkName();
      long size = extended.paxSize >= 0 ? extended.paxSize : header.getSize();
      char type = (char) (header.getLinkFlag() & 0xff);
      if (type == '\0') {
        type = name.endsWith("/") ? '5' : '0';
      }
      if (++entries > limits.maxFiles()) {
        throw new ArtifactException(
            Reason.TooManyFiles,
            "artifact holds more than "
                + ArtifactLimits.count(limits.maxFiles())
                + " entries (limit maxFiles)");
      }
      if (extended.sparse || type == 'S' || type == 'M') {
        throw malformed(
            "artifact entry "
                + quote(name)
                + " is a sparse or multi-volume file, which scopeguard does not read");
      }
      switch (type) {
        case '0', '7' -> file(path(name), size);
        case '5' -> directory(path(name));
        case '2' -> {
          String path = path(name);
          link(path, link, "symlink", parent(path));
        }
        case '1' -> link(path(name), link, "hardlink", "");
        case '3', '4', '6' -> path(name);
        case 'V' -> skip(size, "a volume label");
        default -> {
          String path = path(name);
          skip(size, "entry " + quote(path));
        }
      }
    }

    private void file(String path, long size) throws IOException, ArtifactException {
      if (path.isEmpty()) {
        throw malformed("artifact has a file entry without a name");
      }
      if (size > limits.maxFileBytes()) {
        throw new ArtifactException(
            Reason.TooLarge,
            "artifact file "
                + quote(path)
                + " is larger than "
                + ArtifactLimits.bytes(limits.maxFileBytes())
                + " (limit maxFileBytes)");
      }
      if (fileBytes + size > limits.maxTotalBytes()) {
        throw new ArtifactException(
            Reason.TooLarge,
            "artifact expands beyond "
                + ArtifactLimits.bytes(limits.maxTotalBytes())
                + " (limit maxTotalBytes)");
      }
      byte[] data = new byte[(int) size];
      if (readFully(data, data.length) < data.length) {
        throw truncated("entry " + quote(path));
      }
      fileBytes += size;
      skipPadding(size, "entry " + quote(path));
      place(path, false);
      files.put(path, data);
    }

    private void directory(String path) throws ArtifactException {
      if (!path.isEmpty()) {
        place(path, true);
      }
    }

    /** Links are not followed; only where they point matters. */
    private void link(String path, String target, String kind, String base)
        throws ArtifactException {
      if (escapes(base, target)) {
        throw new ArtifactException(
            Reason.LinkOutsideTree,
            "artifact "
                + kind
                + " "
                + quote(path)
                + " points outside the tree, to "
                + quote(target));
      }
    }

    private void place(String path, boolean directory) throws ArtifactException {
      if (directory ? files.containsKey(path) : directories.contains(path)) {
        throw conflict(path);
      }
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        String parent = path.substring(0, slash);
        if (files.containsKey(parent)) {
          throw conflict(parent);
        }
        directories.add(parent);
      }
      if (directory) {
        directories.add(path);
      }
    }

    private String path(String name) throws ArtifactException {
      if (name.isEmpty()) {
        throw malformed("artifact has an entry without a name");
      }
      if (name.length() > MAX_NAME_CHARS) {
        throw malformed(
            "artifact has an entry name longer than "
                + ArtifactLimits.count(MAX_NAME_CHARS)
                + " characters");
      }
      if (name.startsWith("/")) {
        throw new ArtifactException(
            Reason.PathTraversal, "artifact entry " + quote(name) + " is an absolute path");
      }
      if (name.indexOf('\\') >= 0) {
        throw new ArtifactException(
            Reason.PathTraversal, "artifact entry " + quote(name) + " has a backslash in its path");
      }
      StringBuilder path = new StringBuilder();
      int depth = 0;
      for (String segment : name.split("/")) {
        if (segment.equals("..")) {
          throw new ArtifactException(
              Reason.PathTraversal, "artifact entry " + quote(name) + " has a '..' segment");
        }
        if (!segment.isEmpty() && !segment.equals(".")) {
          path.append(depth++ == 0 ? "" : "/").append(segment);
        }
      }
      if (depth > limits.maxDepth()) {
        throw new ArtifactException(
            Reason.TooDeep,
            "artifact entry "
                + quote(name)
                + " is deeper than "
                + limits.maxDepth()
                + " path segments (limit maxDepth)");
      }
      return path.toString();
    }

    private byte[] readMetadata(long size) throws IOException, ArtifactException {
      if (size > MAX_METADATA_BYTES) {
        throw malformed(
            "artifact has an extended tar header larger than "
                + ArtifactLimits.bytes(MAX_METADATA_BYTES));
      }
      byte[] data = new byte[(int) size];
      if (readFully(data, data.length) < data.length) {
        throw truncated("an extended tar header");
      }
      skipPadding(size, "an extended tar header");
      return data;
    }

    private void skip(long size, String what) throws IOException, ArtifactException {
      byte[] buffer = new byte[8192];
      for (long left = size; left > 0; ) {
        int n = readFully(buffer, (int) Math.min(buffer.length, left));
        if (n == 0) {
          throw truncated(what);
        }
        left -= n;
      }
      skipPadding(size, what);
    }

    private void skipPadding(long size, String what) throws IOException, ArtifactException {
      int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
      if (readFully(block, padding) < padding) {
        throw truncated(what);
      }
    }

    /** False at a clean end of stream; a partial block is truncation. */
    private boolean readBlock() throws IOException, ArtifactException {
      int n = readFully(block, BLOCK);
      if (n > 0 && n < BLOCK) {
        throw truncated("a tar header");
      }
      return n == BLOCK;
    }

    private int readFully(byte[] buffer, int length) throws IOException {
      int total = 0;
      while (total < length) {
        int n = in.read(buffer, total, length - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    }
  }

  /** True when {@code target}, read from directory {@code base}, climbs above the root. */
  static boolean escapes(String base, String target) {
    if (target.startsWith("/")) {
      return true;
    }
    int depth = base.isEmpty() ? 0 : base.split("/").length;
    for (String segment : target.split("/")) {
      if (segment.equals("..")) {
        if (--depth < 0) {
          return true;
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        depth++;
      }
    }
    return false;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** As Commons Compress checks it; a checksum field that is not octal does not match. */
  private static boolean checksumMatches(byte[] header) {
    try {
      return TarUtils.verifyCheckSum(header);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A size that Commons Compress reads as 0 but Go as the digits after the NUL: the two would
   * disagree on where the next header starts.
   */
  /**
   * A header without ustar magic whose prefix field is not empty: Go's reader ignores the prefix,
   * Commons Compress prepends it, so the two would name the entry differently.
   */
  private static boolean v7WithPrefix(byte[] header) {
    if (header[257] == 'u'
        && header[258] == 's'
        && header[259] == 't'
        && header[260] == 'a'
        && header[261] == 'r') {
      return false;
    }
    for (int i = 345; i < 500; i++) {
      if (header[i] != 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean sizeStartsWithNul(byte[] header) {
    if (header[SIZE_FIELD] != 0) {
      return false;
    }
    for (int i = SIZE_FIELD + 1; i < SIZE_FIELD + 12; i++) {
      if (header[i] != 0) {
        return true;
      }
    }
    return false;
  }

  private static ArtifactException malformed(String message) {
    return new ArtifactException(Reason.Malformed, message);
  }

  private static ArtifactException truncated(String what) {
    return new ArtifactException(Reason.Truncated, "artifact ends in the middle of " + what);
  }

  private static ArtifactException conflict(String path) {
    return malformed("artifact holds " + quote(path) + " both as a file and as a directory");
  }

  /** What pax and GNU long-name entries say about the entry that follows them. */
  private static final class Extended {
    String longName;
    String longLink;
    String paxPath;
    String paxLinkpath;
    long paxSize = -1;
    boolean sparse;

    /**
     * Records {@code "<length> <key>=<value>\n"}, the length counting the whole record. Like Go's
     * reader, which Flux uses, a later pax header replaces an earlier one, and a global header ends
     * both.
     */
    void pax(byte[] data) throws ArtifactException {
      paxPath = null;
      paxLinkpath = null;
      paxSize = -1;
      sparse = false;
      int position = 0;
      while (position < data.length) {
        int space = position;
        long length = 0;
        while (space < data.length
            && data[space] >= '0'
            && data[space] <= '9'
            && length < data.length) {
          length = length * 10 + (data[space++] - '0');
        }
        long end = position + length;
        if (space == position
            || space >= data.length
            || data[space] != ' '
            || end > data.length
            || end <= space + 1
            || data[(int) end - 1] != '\n') {
          throw malformed("artifact has a malformed pax header");
        }
        String record = new String(data, space + 1, (int) end - space - 2, StandardCharsets.UTF_8);
        int equals = record.indexOf('=');
        if (equals < 1) {
          throw malformed("artifact has a malformed pax header");
        }
        apply(record.substring(0, equals), record.substring(equals + 1));
        position = (int) end;
      }
    }

    private void apply(String key, String value) throws ArtifactException {
      if ((key.equals("path") || key.equals("linkpath")) && value.indexOf('\0') >= 0) {
        throw malformed("artifact has a pax " + key + " with a NUL character");
      }
      switch (key) {
        case "path" -> paxPath = value.isEmpty() ? null : value;
        case "linkpath" -> paxLinkpath = value.isEmpty() ? null : value;
        case "size" -> {
          if (value.isEmpty()
              || value.length() > 18
              || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw malformed("artifact has a pax size that is not a number: " + quote(value));
          }
          paxSize = Long.parseLong(value);
        }
        default -> sparse |= key.startsWith("GNU.sparse.");
      }
    }
  }

  /** Carries a refusal through the stream layers, which may only throw IOException. */
  private static final class Refusal extends IOException {
    final ArtifactException exception;

    Refusal(ArtifactException exception) {
      super(exception.getMessage());
      this.exception = exception;
    }
  }

  /** A filter whose single-byte read goes through its block read, where the counting is. */
  private abstract static class BlockReading extends FilterInputStream {
    BlockReading(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** The compressed bytes: counted, and cut off one byte past the limit. */
  private static final class Compressed extends BlockReading {
    private final long max;
    private long count;
    private Refusal refusal;

    Compressed(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    long count() {
      return count;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (refusal != null) {
        throw refusal;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, max - count + 1));
      if (n > 0) {
        count += n;
        if (count > max) {
          refusal =
              new Refusal(
                  new ArtifactException(
                      Reason.TooLarge,
                      "artifact is larger than "
                          + ArtifactLimits.bytes(max)
                          + " compressed (limit maxCompressedBytes)"));
          throw refusal;
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(new byte[(int) Math.max(0, Math.min(n, 8192))]));
    }

    /** GZIPInputStream swallows errors while it looks for a further member. */
    void rethrowSwallowedRefusal() throws Refusal {
      if (refusal != null) {
        throw refusal;
      }
    }
  }

  /** The inflated tar stream: counted against the compressed bytes read so far. */
  private static final class Inflated extends BlockReading {
    private final Compressed compressed;
    private final long maxRatio;
    private long count;

    Inflated(InputStream in, Compressed compressed, long maxRatio) {
      super(in);
      this.compressed = compressed;
      this.maxRatio = maxRatio;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        count += n;
        if (count > ArtifactLimits.RATIO_GRACE_BYTES && count > compressed.count() * maxRatio) {
          throw new Refusal(
              new ArtifactException(
                  Reason.CompressionRatio,
                  "artifact expands more than "
                      + maxRatio
                      + " times its compressed size (limit maxRatio)"));
        }
      }
      return n;
    }

    /** Reads past the end-of-archive blocks so that gzip checks its trailer. */
    void drain() throws IOException {
      byte[] buffer = new byte[8192];
      while (read(buffer, 0, buffer.length) >= 0) {
        continue;
      }
    }
  }
}
