package io.scopeguard.deletion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar archives header by header, hostile ones included, so the unpacker's tests say exactly
 * what bytes it meets. Names longer than 100 bytes are written in the chosen {@link LongNames}
 * style.
 */
final class TarBuilder {

  /** How a name that does not fit the 100-byte name field is written. */
  enum LongNames {
    GNU,
    PAX,
    USTAR_PREFIX
  }

  private static final int BLOCK = 512;

  private final ByteArrayOutputStream target = new ByteArrayOutputStream();
  private final OutputStream sink;
  private final boolean compressing;
  private LongNames longNames = LongNames.PAX;
  private boolean base256Sizes;

  private TarBuilder(boolean compressing) {
    this.compressing = compressing;
    try {
      this.sink = compressing ? new GZIPOutputStream(target, 1 << 16) : target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Keeps the tar bytes, so that they can be cut before compressing. */
  static TarBuilder tar() {
    return new TarBuilder(false);
  }

  /** Compresses as it goes, for archives too large to hold uncompressed. */
  static TarBuilder gzipped() {
    return new TarBuilder(true);
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  TarBuilder longNames(LongNames style) {
    this.longNames = style;
    return this;
  }

  /** Sizes in GNU base-256 rather than octal. */
  TarBuilder base256Sizes() {
    this.base256Sizes = true;
    return this;
  }

  TarBuilder file(String name, String text) {
    return entry('0', name, "", text.getBytes(StandardCharsets.UTF_8));
  }

  TarBuilder file(String name, byte[] data) {
    return entry('0', name, "", data);
  }

  /** A regular file of {@code size} zero bytes, written without holding them. */
  TarBuilder zeros(String name, long size) {
    return zeros('0', name, size);
  }

  /** An entry of any type whose data is {@code size} zero bytes. */
  TarBuilder zeros(char type, String name, long size) {
    longName(type, name, "");
    header(type, fitted(name), "", size);
    byte[] chunk = new byte[1 << 16];
    for (long left = size; left > 0; left -= chunk.length) {
      write(chunk, (int) Math.min(chunk.length, left));
    }
    pad(size);
    return this;
  }

  TarBuilder dir(String name) {
    return entry('5', name, "", new byte[0]);
  }

  TarBuilder symlink(String name, String target) {
    return entry('2', name, target, new byte[0]);
  }

  TarBuilder hardlink(String name, String target) {
    return entry('1', name, target, new byte[0]);
  }

  /** An entry with its data, the name written in the chosen long-name style. */
  TarBuilder entry(char type, String name, String link, byte[] data) {
    longName(type, name, link);
    header(type, fitted(name), link.length() > 100 ? link.substring(0, 100) : link, data.length);
    write(data, data.length);
    pad(data.length);
    return this;
  }

  /** A pax extended header ({@code x}) for the entry that follows. */
  TarBuilder pax(String... keyValues) {
    return entry('x', "PaxHeaders/entry", "", paxRecords(keyValues));
  }

  /** A pax global header ({@code g}). */
  TarBuilder paxGlobal(String... keyValues) {
    return entry('g', "pax_global_header", "", paxRecords(keyValues));
  }

  /** A header whose size field says {@code size} but after which no data is written. */
  TarBuilder headerOnly(char type, String name, long size) {
    header(type, name, "", size);
    return this;
  }

  /** Bytes as they are, for what no well-formed builder would write. */
  TarBuilder raw(byte[] bytes) {
    write(bytes, bytes.length);
    return this;
  }

  /** The tar stream with its end-of-archive blocks. */
  byte[] tarBytes() {
    return end().tarBytesWithoutEnd();
  }

  byte[] tarBytesWithoutEnd() {
    if (compressing) {
      throw new IllegalStateException("a compressing builder keeps no tar bytes");
    }
    return target.toByteArray();
  }

  /** The tar.gz, with the end-of-archive blocks. */
  byte[] gzip() {
    end();
    if (!compressing) {
      return gzip(target.toByteArray());
    }
    try {
      sink.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target.toByteArray();
  }

  /** One header block as the builder would write it, for tests that damage it. */
  static byte[] headerBlock(char type, String name, long size) {
    TarBuilder builder = tar();
    builder.header(type, name, "", size);
    return builder.tarBytesWithoutEnd();
  }

  private TarBuilder end() {
    write(new byte[2 * BLOCK], 2 * BLOCK);
    return this;
  }

  private void longName(char type, String name, String link) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 100 || longNames == LongNames.USTAR_PREFIX) {
      return;
    }
    if (longNames == LongNames.GNU) {
      byte[] data = Arrays.copyOf(bytes, bytes.length + 1);
      header('L', "././@LongLink", "", data.length);
      write(data, data.length);
      pad(data.length);
    } else {
      byte[] data = paxRecords("path", name);
      header('x', "PaxHeaders/" + type, "", data.length);
      write(data, data.length);
      pad(data.length);
    }
  }

  /** The name as it goes in the header: cut (GNU, pax) or split into prefix and name (ustar). */
  private String fitted(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 100 || longNames == LongNames.USTAR_PREFIX) {
      return name;
    }
    return new String(bytes, 0, 100, StandardCharsets.UTF_8);
  }

  private void header(char type, String name, String link, long size) {
    byte[] block = new byte[BLOCK];
    String prefix = "";
    if (name.getBytes(StandardCharsets.UTF_8).length > 100) {
      int slash = name.lastIndexOf('/');
      prefix = name.substring(0, slash);
      name = name.substring(slash + 1);
    }
    put(block, 0, 100, name);
    put(block, 100, 8, "0000644");
    put(block, 108, 8, "0000000");
    put(block, 116, 8, "0000000");
    if (base256Sizes || size >= 1L << 33) {
      block[124] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        block[135 - i] = (byte) (size >>> (8 * i));
      }
    } else {
      put(block, 124, 12, String.format("%011o", size));
    }
    put(block, 136, 12, "14000000000");
    block[156] = (byte) type;
    put(block, 157, 100, link);
    if (longNames == LongNames.GNU) {
      put(block, 257, 8, "ustar  ");
    } else {
      put(block, 257, 6, "ustar");
      put(block, 263, 2, "00");
    }
    put(block, 345, 155, prefix);
    Arrays.fill(block, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : block) {
      sum += b & 0xff;
    }
    put(block, 148, 8, String.format("%06o", sum));
    write(block, BLOCK);
  }

  private static byte[] paxRecords(String... keyValues) {
    StringBuilder records = new StringBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      String body = " " + keyValues[i] + "=" + keyValues[i + 1] + "\n";
      int bodyLength = body.getBytes(StandardCharsets.UTF_8).length;
      int length = bodyLength + 1;
      while (String.valueOf(length).length() + bodyLength != length) {
        length++;
      }
      records.append(length).append(body);
    }
    return records.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void put(byte[] block, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > length) {
      throw new IllegalArgumentException("'" + value + "' does not fit in " + length + " bytes");
    }
    System.arraycopy(bytes, 0, block, offset, bytes.length);
  }

  private void pad(long size) {
    int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
    write(new byte[padding], padding);
  }

  private void write(byte[] bytes, int length) {
    try {
      sink.write(bytes, 0, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
