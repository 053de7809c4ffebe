package io.scopeguard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A webhook's {@code matchConditions}, evaluated with CEL as the API server evaluates them: the
 * variables {@code object}, {@code oldObject} (null where the operation has none) and {@code
 * request}. The {@code authorizer} variable is not offered; an expression using it fails to
 * compile, which the API server would have refused at registration.
 */
final class MatchConditions {

  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private MatchConditions() {}

  /**
   * Whether the expression holds.
   *
   * @throws IllegalArgumentException when it does not compile or does not evaluate to a boolean
   *     (the API server then applies the webhook's failure policy)
   */
  static boolean holds(String expression, JsonNode object, JsonNode oldObject, JsonNode request) {
    CelRuntime.Program program = PROGRAMS.computeIfAbsent(expression, MatchConditions::compile);
    try {
      Object result =
          program.eval(
              Map.of("object", cel(object), "oldObject", cel(oldObject), "request", cel(request)));
      if (result instanceof Boolean holds) {
        return holds;
      }
      throw new IllegalArgumentException(
          "matchCondition " + expression + " evaluated to " + result + ", not a bool");
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(
          "matchCondition " + expression + " failed: " + e.getMessage(), e);
    }
  }

  private static CelRuntime.Program compile(String expression) {
    try {
      return RUNTIME.createProgram(COMPILER.compile(expression).getAst());
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException(
          "matchCondition " + expression + " does not compile: " + e.getMessage(), e);
    }
  }

  private static Object cel(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(field -> map.put(field.getKey(), cel(field.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(element -> list.add(cel(element)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
