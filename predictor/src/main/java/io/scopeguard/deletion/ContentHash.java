package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The 10-character suffix kustomize appends to generated ConfigMap and Secret names.
 *
 * <p>kustomize hashes a JSON object with the kind, the data (and binaryData, stringData, type where
 * they apply) and a name that is always empty: it looks the name up with the single key {@code
 * "metadata/name"}, which never exists, so renaming never changes the hash. The JSON is Go's {@code
 * encoding/json} output (sorted keys, HTML characters escaped); the first ten hex digits of its
 * SHA-256 are kept, with 0, 1, 3, a and e replaced by g, h, k, m and t.
 */
final class ContentHash {

  private ContentHash() {}

  static String of(JsonNode doc) {
    Map<String, Object> encoded = new TreeMap<>(ContentHash::compareUtf8);
    String kind = Docs.text(doc, "kind");
    encoded.put("kind", kind);
    encoded.put("name", "");
    encoded.put("data", fieldValue(doc, "data"));
    if (kind.equals("Secret")) {
      encoded.put("type", fieldValue(doc, "type"));
      if (doc.path("stringData").isObject()) {
        encoded.put("stringData", fieldValue(doc, "stringData"));
      }
    } else if (doc.path("binaryData").isObject()) {
      encoded.put("binaryData", fieldValue(doc, "binaryData"));
    }
    return suffix(sha256Hex(goJson(encoded)));
  }

  private static Object fieldValue(JsonNode doc, String field) {
    JsonNode value = doc.path(field);
    if (value.isMissingNode()) {
      return "";
    }
    return value.isContainerNode() ? plain(value) : value.asText();
  }

  private static Object plain(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new TreeMap<>(ContentHash::compareUtf8);
      node.fields().forEachRemaining(e -> map.put(e.getKey(), plain(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(plain(item)));
      return list;
    }
    return node.isNull() ? null : node.asText();
  }

  static String goJson(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString((String) e.getKey(), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(list.get(i), out);
      }
      out.append(']');
    } else {
      writeString(value.toString(), out);
    }
  }

  /** A string as Go's encoding/json writes it (Go 1.22 and later). */
  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String sha256Hex(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String suffix(String hex) {
    char[] chars = hex.substring(0, 10).toCharArray();
    for (int i = 0; i < chars.length; i++) {
      chars[i] =
          switch (chars[i]) {
            case '0' -> 'g';
            case '1' -> 'h';
            case '3' -> 'k';
            case 'a' -> 'm';
            case 'e' -> 't';
            default -> chars[i];
          };
    }
    return new String(chars);
  }

  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
