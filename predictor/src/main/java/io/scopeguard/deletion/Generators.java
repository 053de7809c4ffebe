package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kustomize's {@code configMapGenerator} and {@code secretGenerator}: the object each entry
 * generates, with the content its name hash is computed from.
 */
final class Generators {

  private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final SourceFiles files;
  private final KustomizationFile kustomization;

  Generators(SourceFiles files, KustomizationFile kustomization) {
    this.files = files;
    this.kustomization = kustomization;
  }

  Resource configMap(JsonNode args) {
    return generate("ConfigMap", args);
  }

  Resource secret(JsonNode args) {
    return generate("Secret", args);
  }

  private Resource generate(String kind, JsonNode args) {
    String name = Docs.text(args, "name");
    String origin =
        (kind.equals("Secret") ? "secretGenerator " : "configMapGenerator ")
            + name
            + " in "
            + kustomization.path;
    if (name.isEmpty()) {
      throw new BuildFailure("a " + kind + " generator in " + kustomization.path + " has no name");
    }
    Map<String, byte[]> pairs = pairs(args, origin);
    JsonNode local = args.path("options");
    JsonNode global = kustomization.generatorOptions();

    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("apiVersion", "v1");
    doc.put("kind", kind);
    ObjectNode metadata = doc.putObject("metadata");
    metadata.put("name", name);
    String namespace = Docs.text(args, "namespace");
    if (!namespace.isEmpty()) {
      metadata.put("namespace", namespace);
    }
    putMerged(metadata, "labels", local.path("labels"), global.path("labels"));
    putMerged(metadata, "annotations", local.path("annotations"), global.path("annotations"));
    if (kind.equals("Secret")) {
      String type = Docs.text(args, "type");
      doc.put("type", type.isEmpty() ? "Opaque" : type);
      ObjectNode data = doc.putObject("data");
      pairs.forEach((key, value) -> data.put(key, base64(value)));
    } else {
      pairs.forEach(
          (key, value) -> {
            String text = utf8(value);
            String field = text == null ? "binaryData" : "data";
            ObjectNode map = doc.has(field) ? (ObjectNode) doc.get(field) : doc.putObject(field);
            map.put(key, text == null ? base64(value) : text);
          });
    }
    if (Docs.flag(local, "immutable") || Docs.flag(global, "immutable")) {
      doc.put("immutable", "true");
    }

    Resource resource = new Resource(doc, origin);
    resource.needsHash =
        !Docs.flag(local, "disableNameSuffixHash") && !Docs.flag(global, "disableNameSuffixHash");
    String behavior = Docs.text(args, "behavior");
    resource.behavior =
        switch (behavior) {
          case "create", "merge", "replace" -> behavior;
          default -> "";
        };
    return resource;
  }

  /**
   * Envs first, then literals, then files, as kustomize loads them; keys sorted. kustomize does not
   * validate the keys (its validator accepts anything); the API server refuses bad ones at apply.
   */
  private Map<String, byte[]> pairs(JsonNode args, String origin) {
    List<Map.Entry<String, byte[]>> loaded = new ArrayList<>();
    List<String> envs = Docs.strings(args, "envs", kustomization.path);
    if (!Docs.text(args, "env").isEmpty()) {
      envs.add(Docs.text(args, "env"));
    }
    for (String env : envs) {
      loaded.addAll(envFile(env));
    }
    for (String literal : Docs.strings(args, "literals", kustomization.path)) {
      int equals = literal.indexOf('=');
      if (equals <= 0) {
        throw new BuildFailure(
            "invalid literal source " + literal + " in " + origin + ", expected key=value");
      }
      loaded.add(
          Map.entry(
              literal.substring(0, equals),
              removeQuotes(literal.substring(equals + 1)).getBytes(StandardCharsets.UTF_8)));
    }
    for (String source : Docs.strings(args, "files", kustomization.path)) {
      loaded.add(fileSource(source, origin));
    }
    Map<String, byte[]> pairs = new TreeMap<>();
    for (Map.Entry<String, byte[]> pair : loaded) {
      String key = pair.getKey();
      if (pairs.put(key, pair.getValue()) != null) {
        throw new BuildFailure(origin + " illegally repeats the key `" + key + "`");
      }
    }
    return pairs;
  }

  private Map.Entry<String, byte[]> fileSource(String source, String origin) {
    long separators = source.chars().filter(c -> c == '=').count();
    String key;
    String file;
    if (separators == 0) {
      key = source.substring(source.lastIndexOf('/') + 1);
      file = source;
    } else if (separators > 1 || source.startsWith("=") || source.endsWith("=")) {
      throw new BuildFailure("invalid file source " + source + " in " + origin);
    } else {
      key = source.substring(0, source.indexOf('='));
      file = source.substring(source.indexOf('=') + 1);
    }
    return Map.entry(key, load(file, origin));
  }

  private List<Map.Entry<String, byte[]>> envFile(String file) {
    String origin = "env file " + file + " in " + kustomization.path;
    byte[] content = load(file, origin);
    List<Map.Entry<String, byte[]>> pairs = new ArrayList<>();
    List<byte[]> lines = lines(content);
    for (int i = 0; i < lines.size(); i++) {
      byte[] bytes = lines.get(i);
      if (i == 0 && startsWith(bytes, UTF8_BOM)) {
        bytes = Arrays.copyOfRange(bytes, UTF8_BOM.length, bytes.length);
      }
      String line = utf8(bytes);
      if (line == null) {
        throw new BuildFailure("line " + i + " of " + origin + " has invalid utf8 bytes");
      }
      line = trimLeadingSpace(line);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      String key = equals < 0 ? line : line.substring(0, equals);
      pairs.add(
          Map.entry(
              key,
              (equals < 0 ? "" : line.substring(equals + 1)).getBytes(StandardCharsets.UTF_8)));
    }
    return pairs;
  }

  private byte[] load(String file, String origin) {
    if (SourcePaths.isRemote(file)) {
      throw new Unpredictable("remote file " + file + " in " + origin);
    }
    String path = SourcePaths.resolve(kustomization.dir, file, origin);
    if (!files.isFile(path)) {
      throw new BuildFailure(origin + ": file " + file + " not found");
    }
    byte[] content = files.readBytes(path);
    if (Sops.isEncrypted(new String(content, StandardCharsets.UTF_8))) {
      throw new Unpredictable("SOPS-encrypted file " + path + " in " + origin);
    }
    return content;
  }

  private static void putMerged(
      ObjectNode metadata, String field, JsonNode local, JsonNode global) {
    Map<String, String> merged = new LinkedHashMap<>(Docs.stringMap(global));
    merged.putAll(Docs.stringMap(local));
    if (!merged.isEmpty()) {
      ObjectNode map = metadata.putObject(field);
      merged.forEach(map::put);
    }
  }

  /** Lines as Go's bufio.ScanLines splits them: on \n, with a trailing \r dropped. */
  private static List<byte[]> lines(byte[] content) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= content.length; i++) {
      if (i == content.length || content[i] == '\n') {
        if (i == content.length && start == content.length) {
          break;
        }
        int end = i > start && content[i - 1] == '\r' ? i - 1 : i;
        lines.add(Arrays.copyOfRange(content, start, end));
        start = i + 1;
      }
    }
    return lines;
  }

  private static String trimLeadingSpace(String line) {
    int i = 0;
    while (i < line.length()) {
      int c = line.codePointAt(i);
      boolean space =
          c == '\t'
              || c == '\n'
              || c == 0x0B
              || c == '\f'
              || c == '\r'
              || c == 0x85
              || Character.isSpaceChar(c);
      if (!space) {
        break;
      }
      i += Character.charCount(c);
    }
    return line.substring(i);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String removeQuotes(String value) {
    if (value.length() < 2 || value.charAt(0) != value.charAt(value.length() - 1)) {
      return value;
    }
    char quote = value.charAt(0);
    return quote == '"' || quote == '\'' ? value.substring(1, value.length() - 1) : value;
  }

  /** The text, or null when the bytes are not valid UTF-8. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Base64 as kustomize writes generated data: lines of 70, each ending in \n, once longer than one
   * line.
   */
  static String base64(byte[] value) {
    String encoded = Base64.getEncoder().encodeToString(value);
    if (encoded.length() < 70) {
      return encoded;
    }
    StringBuilder wrapped = new StringBuilder();
    for (int i = 0; i < encoded.length(); i += 70) {
      wrapped.append(encoded, i, Math.min(i + 70, encoded.length())).append('\n');
    }
    return wrapped.toString();
  }
}
