package io.scopeguard.deletion;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Multi-document YAML read the way kustomize's YAML library sees it where identities are concerned:
 * every scalar keeps its literal text ({@code 0123} stays {@code 0123}, {@code yes} stays {@code
 * yes}), nulls are nulls, and aliases to anchored mappings and sequences are expanded. Merge keys
 * and aliases to scalars are not supported and make a prediction unknown.
 *
 * <p>Every node produced is spent from the prediction's {@link Budget}, an alias's whole copy
 * before it is made; and the aliases of one file may expand to at most {@value #MIN_ALIAS_NODES}
 * nodes or {@value #ALIAS_NODES_PER_BYTE} per byte of the file, whichever is more. kustomize
 * expands every alias without a limit: a few hundred bytes of nested aliases (a "billion laughs")
 * exhaust any heap. Past either bound the file cannot be read within bounds.
 */
final class YamlDocs {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Far deeper than any manifest; deeper input is not guessed at (nor recursed into). */
  private static final int MAX_DEPTH = 1000;

  static final long MIN_ALIAS_NODES = 100_000;
  static final long ALIAS_NODES_PER_BYTE = 20;
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder()
          .loaderOptions(loaderOptions())
          .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNestingDepth(MAX_DEPTH)
                  .maxNumberLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private YamlDocs() {}

  /**
   * A YAML file's text: UTF-8, or UTF-16 when it starts with a byte order mark, as kustomize's YAML
   * reader takes it; a UTF-8 byte order mark is dropped.
   */
  static String text(SourceFiles files, String path) {
    byte[] bytes = files.readBytes(path);
    if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
      return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
    }
    if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
      return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
    }
    if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xEF
        && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF) {
      return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * The documents of {@code text}, empty documents included as null nodes.
   *
   * @param where names the source in messages, e.g. a file path
   * @throws BuildFailure when the text is not YAML
   * @throws Unpredictable for a merge key or an alias to a scalar
   */
  static List<JsonNode> parse(String text, String where) {
    return parse(text, where, false);
  }

  /**
   * As {@link #parse(String, String)}, except that with {@code yaml11Booleans} the plain scalars
   * YAML 1.1 reads as booleans ({@code yes}, {@code on}, {@code False}...) become "true" and
   * "false", as in text kustomize converts with its YAML 1.1 reader (JSON patches written in YAML).
   * ({@code y} and {@code n} stay as they are.)
   */
  static List<JsonNode> parse(String text, String where, boolean yaml11Booleans) {
    List<JsonNode> documents = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
      JsonToken token = parser.nextToken();
      Reading reading =
          new Reading(
              new HashMap<>(),
              where,
              yaml11Booleans,
              Budgets.current(),
              Math.max(MIN_ALIAS_NODES, ALIAS_NODES_PER_BYTE * text.length()),
              new long[1]);
      while (token != null) {
        documents.add(read(parser, token, reading));
        token = parser.nextToken();
      }
    } catch (StreamConstraintsException e) {
      throw new Budget.OverBudget("YAML nested deeper than " + MAX_DEPTH + " levels in " + where);
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("Nesting Depth exceeded")) {
        throw new Budget.OverBudget("YAML nested deeper than " + MAX_DEPTH + " levels in " + where);
      }
      throw new BuildFailure("invalid YAML in " + where + ": " + firstLine(e.getMessage()));
    }
    return documents;
  }

  /**
   * One file being read.
   *
   * @param anchors anchored mappings and sequences by name, with their node counts
   * @param aliasNodes the nodes copied for aliases so far (one element)
   */
  private record Reading(
      Map<String, Anchored> anchors,
      String where,
      boolean yaml11Booleans,
      Budget budget,
      long maxAliasNodes,
      long[] aliasNodes) {}

  private record Anchored(JsonNode node, long size) {}

  private static JsonNode read(YAMLParser parser, JsonToken token, Reading reading)
      throws IOException {
    Map<String, Anchored> anchors = reading.anchors();
    String where = reading.where();
    if (!parser.isCurrentAlias()) {
      reading.budget().spend(1);
    }
    switch (token) {
      case START_OBJECT:
        {
          String anchor = parser.getObjectId();
          ObjectNode object = NODES.objectNode();
          for (JsonToken t = parser.nextToken();
              t != JsonToken.END_OBJECT;
              t = parser.nextToken()) {
            String key = parser.currentName();
            if ("<<".equals(key)) {
              throw new Unpredictable("YAML merge key '<<' in " + where);
            }
            object.set(key, read(parser, parser.nextToken(), reading));
          }
          remember(anchors, anchor, object);
          return object;
        }
      case START_ARRAY:
        {
          String anchor = parser.getObjectId();
          ArrayNode array = NODES.arrayNode();
          for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            array.add(read(parser, t, reading));
          }
          remember(anchors, anchor, array);
          return array;
        }
      case VALUE_NULL:
        return NODES.nullNode();
      case VALUE_TRUE:
      case VALUE_FALSE:
        if (reading.yaml11Booleans()) {
          return NODES.textNode(token == JsonToken.VALUE_TRUE ? "true" : "false");
        }
        return NODES.textNode(parser.getText());
      default:
        if (parser.isCurrentAlias()) {
          Anchored target = anchors.get(parser.getText());
          if (target == null) {
            throw new Unpredictable("YAML alias *" + parser.getText() + " to a scalar in " + where);
          }
          reading.aliasNodes()[0] += target.size();
          if (reading.aliasNodes()[0] > reading.maxAliasNodes()) {
            throw new Budget.OverBudget(
                "YAML aliases in "
                    + where
                    + " expand to more than "
                    + ArtifactLimits.count(reading.maxAliasNodes())
                    + " nodes (kustomize expands them without a limit)");
          }
          reading.budget().spend(target.size());
          return target.node().deepCopy();
        }
        return NODES.textNode(parser.getText());
    }
  }

  private static void remember(Map<String, Anchored> anchors, String anchor, JsonNode node) {
    if (anchor != null) {
      anchors.put(anchor, new Anchored(node, size(node)));
    }
  }

  private static long size(JsonNode node) {
    long size = 1;
    for (JsonNode child : node) {
      size += size(child);
    }
    return size;
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setMaxAliasesForCollections(Integer.MAX_VALUE);
    options.setAllowDuplicateKeys(true);
    return options;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
