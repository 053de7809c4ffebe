package io.scopeguard.deletion;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flux's {@code postBuild} variable substitution, applied to the fields that make an identity.
 *
 * <p>Only forms whose result does not depend on the controller's flags or on cluster data are
 * resolved: {@code ${VAR}} with {@code VAR} in {@code spec.postBuild.substitute}, and {@code
 * ${VAR:-default}} / {@code ${VAR:=default}}, which give the variable's value when it is set and
 * not empty and the default otherwise. A variable only {@code substituteFrom} could supply, the
 * {@code -}/{@code =} defaults (strict and lenient substitution disagree on them), bash string
 * operations and {@code $$} escapes make the prediction unknown.
 */
final class Substitution {

  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^{}$]*)}");
  private static final Pattern VARIABLE =
      Pattern.compile("([_a-zA-Z][_a-zA-Z0-9]*)(?:(:-|:=)([^{}$]*))?");

  private final Map<String, String> inline;
  private final boolean fromCluster;

  /**
   * @param inline {@code spec.postBuild.substitute}; it overrides values from the cluster
   * @param fromCluster whether {@code spec.postBuild.substituteFrom} may supply more variables
   */
  Substitution(Map<String, String> inline, boolean fromCluster) {
    this.inline = inline;
    this.fromCluster = fromCluster;
  }

  static boolean hasExpression(String text) {
    return text.contains("${");
  }

  /** {@code text} with its expressions resolved. */
  String resolve(String text, String where) {
    if (text.contains("$$")) {
      throw new Unpredictable("escaped '$$' in " + where + " under postBuild substitution");
    }
    Matcher expressions = EXPRESSION.matcher(text);
    StringBuilder out = new StringBuilder();
    while (expressions.find()) {
      expressions.appendReplacement(
          out, Matcher.quoteReplacement(evaluate(expressions.group(1), where)));
    }
    expressions.appendTail(out);
    if (out.indexOf("${") >= 0) {
      throw new Unpredictable("postBuild substitution of '" + text + "' in " + where);
    }
    return out.toString();
  }

  private String evaluate(String expression, String where) {
    Matcher variable = VARIABLE.matcher(expression);
    if (!variable.matches()) {
      throw new Unpredictable("postBuild substitution of ${" + expression + "} in " + where);
    }
    String name = variable.group(1);
    String value = inline.containsKey(name) ? inline.get(name).replace("\n", "") : null;
    if (value == null && fromCluster) {
      throw new Unpredictable("postBuild.substituteFrom may set ${" + name + "} in " + where);
    }
    if (variable.group(2) == null) {
      if (value == null) {
        throw new Unpredictable("${" + name + "} in " + where + " is not in postBuild.substitute");
      }
      return value;
    }
    return value == null || value.isEmpty() ? variable.group(3) : value;
  }
}
