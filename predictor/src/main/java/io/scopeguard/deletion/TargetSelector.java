package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * A patch's {@code target}: group, version, kind, name and namespace are anchored regular
 * expressions; name and namespace match either the object's original or its current value; label
 * and annotation selectors use Kubernetes' selector syntax.
 */
final class TargetSelector {

  private final Predicate<String> group;
  private final Predicate<String> version;
  private final Predicate<String> kind;
  private final Predicate<String> name;
  private final Predicate<String> namespace;
  private final Predicate<Map<String, String>> labels;
  private final Predicate<Map<String, String>> annotations;

  private TargetSelector(JsonNode target, String where) {
    group = regex(Docs.text(target, "group"), where);
    version = regex(Docs.text(target, "version"), where);
    kind = regex(Docs.text(target, "kind"), where);
    name = regex(Docs.text(target, "name"), where);
    namespace = regex(Docs.text(target, "namespace"), where);
    labels = selector(Docs.text(target, "labelSelector"), where);
    annotations = selector(Docs.text(target, "annotationSelector"), where);
  }

  /** The selector, or null when {@code target} is absent. */
  static TargetSelector of(JsonNode target, String where) {
    return target.isObject() ? new TargetSelector(target, where) : null;
  }

  List<Resource> select(List<Resource> resources) {
    List<Resource> selected = new ArrayList<>();
    for (Resource resource : resources) {
      ResId current = resource.currentId();
      ResId original = resource.originalId();
      if ((namespace.test(original.effectiveNamespace())
              || namespace.test(current.effectiveNamespace()))
          && (name.test(original.name()) || name.test(current.name()))
          && group.test(current.group())
          && version.test(current.version())
          && kind.test(current.kind())
          && labels.test(resource.labels())
          && annotations.test(resource.annotations())) {
        selected.add(resource);
      }
    }
    return selected;
  }

  private static Predicate<String> regex(String pattern, String where) {
    if (pattern.isEmpty()) {
      return value -> true;
    }
    try {
      Pattern compiled = Pattern.compile("^(?:" + pattern + ")$");
      return value -> compiled.matcher(new Bounded(value, pattern, where)).matches();
    } catch (PatternSyntaxException e) {
      throw new Unpredictable("patch target pattern '" + pattern + "' in " + where);
    }
  }

  /**
   * Go matches these patterns in linear time, Java by backtracking: a pathological pattern could
   * run for ages. Reading the input too often ends the prediction instead.
   */
  private static final class Bounded implements CharSequence {

    private static final int MAX_READS = 1_000_000;

    private final String text;
    private final String pattern;
    private final String where;
    private final int[] reads;

    Bounded(String text, String pattern, String where) {
      this(text, pattern, where, new int[1]);
    }

    private Bounded(String text, String pattern, String where, int[] reads) {
      this.text = text;
      this.pattern = pattern;
      this.where = where;
      this.reads = reads;
    }

    @Override
    public char charAt(int index) {
      if (++reads[0] > MAX_READS) {
        throw new Unpredictable(
            "patch target pattern '" + pattern + "' in " + where + " takes too long to match");
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Bounded(text.substring(start, end), pattern, where, reads);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** Kubernetes label selector syntax: {@code a=b, c!=d, e in (f,g), h notin (i), j, !k}. */
  private static Predicate<Map<String, String>> selector(String text, String where) {
    Predicate<Map<String, String>> all = values -> true;
    for (String requirement : splitRequirements(text)) {
      all = all.and(requirement(requirement.trim(), text, where));
    }
    return all;
  }

  private static Predicate<Map<String, String>> requirement(String r, String text, String where) {
    var setMatcher = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(r);
    if (setMatcher.matches()) {
      String key = setMatcher.group(1);
      Set<String> values =
          Arrays.stream(setMatcher.group(3).split(","))
              .map(String::trim)
              .collect(Collectors.toSet());
      return setMatcher.group(2).equals("in")
          ? labels -> labels.containsKey(key) && values.contains(labels.get(key))
          : labels -> !labels.containsKey(key) || !values.contains(labels.get(key));
    }
    int notEquals = r.indexOf("!=");
    if (notEquals > 0) {
      String key = r.substring(0, notEquals).trim();
      String value = r.substring(notEquals + 2).trim();
      return labels -> !value.equals(labels.get(key));
    }
    int equals = r.indexOf('=');
    if (equals > 0) {
      String key = r.substring(0, equals).trim();
      String value = r.substring(r.startsWith("==", equals) ? equals + 2 : equals + 1).trim();
      return labels -> value.equals(labels.get(key));
    }
    if (r.startsWith("!") && r.length() > 1 && r.substring(1).trim().matches("[^\\s=!<>(),]+")) {
      String key = r.substring(1).trim();
      return labels -> !labels.containsKey(key);
    }
    if (r.matches("[^\\s=!<>(),]+")) {
      return labels -> labels.containsKey(r);
    }
    throw new Unpredictable("patch target selector '" + text + "' in " + where);
  }

  private static List<String> splitRequirements(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    if (!text.isBlank()) {
      parts.add(text.substring(start));
    }
    return parts;
  }
}
