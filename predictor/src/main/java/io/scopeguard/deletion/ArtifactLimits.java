package io.scopeguard.deletion;

import java.util.Locale;

/**
 * How much of a source artifact scopeguard is willing to download and hold in memory. Every limit
 * is enforced while the artifact streams in, so a hostile or broken artifact is refused after
 * reading at most a little more than the limit it breaks.
 *
 * @param maxCompressedBytes the {@code .tar.gz} as downloaded
 * @param maxTotalBytes the sum of the unpacked regular files
 * @param maxFileBytes one unpacked regular file
 * @param maxFiles entries of every kind (files, directories, links), so that directory-only
 *     archives are bounded too
 * @param maxDepth path segments of an entry ({@code a/b/c.yaml} is 3)
 * @param maxRatio bytes inflated per compressed byte read, the gzip-bomb guard; checked once more
 *     than {@link #RATIO_GRACE_BYTES} have been inflated, so small archives of repetitive files
 *     pass
 */
public record ArtifactLimits(
    long maxCompressedBytes,
    long maxTotalBytes,
    long maxFileBytes,
    int maxFiles,
    int maxDepth,
    int maxRatio) {

  /** Inflated bytes below which the ratio is not judged. */
  public static final long RATIO_GRACE_BYTES = 1L << 20;

  /** The largest array the JVM hands out; downloads and files are held in one each. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private static final long MIB = 1L << 20;

  public ArtifactLimits {
    positive("maxCompressedBytes", maxCompressedBytes);
    positive("maxTotalBytes", maxTotalBytes);
    positive("maxFileBytes", maxFileBytes);
    positive("maxFiles", maxFiles);
    positive("maxDepth", maxDepth);
    positive("maxRatio", maxRatio);
    if (maxCompressedBytes > MAX_ARRAY || maxFileBytes > MAX_ARRAY) {
      throw new IllegalArgumentException(
          "maxCompressedBytes and maxFileBytes must fit in memory at once: at most "
              + MAX_ARRAY
              + " bytes");
    }
  }

  /** Generous for a Git repository of manifests, small against a pod's memory. */
  public static ArtifactLimits defaults() {
    return new ArtifactLimits(50 * MIB, 200 * MIB, 10 * MIB, 20_000, 30, 100);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  /** {@code 200 MiB}, {@code 1.5 KiB}, {@code 12 bytes}: how a size reads in a message. */
  static String bytes(long value) {
    if (value >= MIB) {
      return scaled(value, MIB, "MiB");
    }
    if (value >= 1024) {
      return scaled(value, 1024, "KiB");
    }
    return value + (value == 1 ? " byte" : " bytes");
  }

  /** {@code 20,000}. */
  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String scaled(long value, long unit, String name) {
    if (value % unit == 0) {
      return count(value / unit) + " " + name;
    }
    return String.format(Locale.ROOT, "%,.1f %s", (double) value / unit, name);
  }
}
