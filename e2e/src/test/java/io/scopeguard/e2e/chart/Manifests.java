package io.scopeguard.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifests a chart rendered, each read strictly into its typed model ({@link StrictModel}):
 * reading fails on the first document with a field its model does not know, naming the template.
 */
public final class Manifests {

  /** One rendered document: the template it came from, its raw tree and its typed model. */
  public record Document(
      String source, String apiVersion, String kind, String name, JsonNode tree, Object model) {}

  private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: (.+)$");

  private final String text;
  private final List<Document> documents;

  private Manifests(String text, List<Document> documents) {
    this.text = text;
    this.documents = List.copyOf(documents);
  }

  /** Reads a multi-document YAML stream as {@code helm template} prints it. */
  public static Manifests parse(String yaml) {
    List<Document> documents = new ArrayList<>();
    for (String part : SEPARATOR.split(yaml)) {
      Matcher source = SOURCE.matcher(part);
      String from = source.find() ? source.group(1).trim() : "(no # Source)";
      JsonNode tree;
      try {
        tree = StrictModel.YAML.readTree(part);
      } catch (IOException e) {
        throw new IllegalArgumentException(from + ": not valid YAML: " + e.getMessage(), e);
      }
      if (tree == null || tree.isMissingNode() || tree.isNull() || tree.isEmpty()) {
        continue;
      }
      Object model;
      try {
        model = StrictModel.read(tree);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            from
                + ": "
                + tree.path("kind").asText()
                + " "
                + tree.at("/metadata/name").asText()
                + ": "
                + e.getMessage(),
            e);
      }
      documents.add(
          new Document(
              from,
              tree.path("apiVersion").asText(),
              tree.path("kind").asText(),
              tree.at("/metadata/name").asText(),
              tree,
              model));
    }
    return new Manifests(yaml, documents);
  }

  /** Every document, in the order rendered. */
  public List<Document> documents() {
    return documents;
  }

  /** {@code Kind/name} of every document, in the order rendered. */
  public List<String> kindsAndNames() {
    return documents.stream().map(d -> d.kind() + "/" + d.name()).toList();
  }

  /** Every document of a model type. */
  public <T> List<T> all(Class<T> type) {
    return documents.stream()
        .map(Document::model)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** The only document of a model type; fails when there is none or more than one. */
  public <T> T one(Class<T> type) {
    List<T> all = all(type);
    if (all.size() != 1) {
      throw new AssertionError(
          "expected one "
              + type.getSimpleName()
              + ", rendered "
              + all.size()
              + ": "
              + kindsAndNames());
    }
    return all.get(0);
  }

  /** The document of a model type with this name, if rendered. */
  public <T> Optional<T> find(Class<T> type, String name) {
    return documents.stream()
        .filter(d -> type.isInstance(d.model()) && d.name().equals(name))
        .map(d -> type.cast(d.model()))
        .findFirst();
  }

  /** The rendered text. */
  public String text() {
    return text;
  }
}
