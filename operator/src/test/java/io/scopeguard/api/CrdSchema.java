package io.scopeguard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates objects against a generated CRD the way an API server would: the OpenAPI schema (types,
 * bounds, enums, required fields) and the CEL rules in {@code x-kubernetes-validations}.
 *
 * <p>Exists because the embedded API (fabric8's mock) enforces no schema and runs no CEL, so the
 * refusals a real API server makes must be checked against the CRD itself.
 */
final class CrdSchema {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final CelCompiler CEL =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .build();
  private static final CelRuntime CEL_RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final JsonNode openApiSchema;
  private final JsonSchema jsonSchema;

  private CrdSchema(JsonNode openApiSchema) {
    this.openApiSchema = openApiSchema;
    this.jsonSchema =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApiSchema);
  }

  /** The schema of the first version of the CRD in the given YAML file. */
  static CrdSchema of(Path crdYaml) throws IOException {
    JsonNode crd = YAML.readTree(Files.readString(crdYaml));
    return new CrdSchema(crd.at("/spec/versions/0/schema/openAPIV3Schema"));
  }

  /**
   * Every reason the API server would refuse the object (YAML text); empty when it would accept it.
   */
  List<String> violations(String objectYaml) throws IOException {
    JsonNode object = YAML.readTree(objectYaml);
    List<String> violations = new ArrayList<>();
    for (ValidationMessage message : jsonSchema.validate(object)) {
      violations.add(message.getMessage());
    }
    checkRules(openApiSchema, object, "", violations);
    return violations;
  }

  /**
   * Paths present in the object that the schema does not declare (the API server would prune them).
   */
  List<String> undeclaredFields(JsonNode object) {
    List<String> undeclared = new ArrayList<>();
    collectUndeclared(openApiSchema, object, "", undeclared);
    return undeclared;
  }

  private static void collectUndeclared(
      JsonNode schema, JsonNode value, String path, List<String> out) {
    if (value.isObject() && schema.has("properties")) {
      value
          .fieldNames()
          .forEachRemaining(
              name -> {
                JsonNode child = schema.get("properties").get(name);
                if (child == null) {
                  if (!path.isEmpty()
                      || !List.of("apiVersion", "kind", "metadata").contains(name)) {
                    out.add(path + "." + name);
                  }
                } else {
                  collectUndeclared(child, value.get(name), path + "." + name, out);
                }
              });
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        collectUndeclared(schema.get("items"), value.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private static void checkRules(
      JsonNode schema, JsonNode value, String path, List<String> violations) {
    if (value == null || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      if (!evaluate(rule.get("rule").asText(), value)) {
        violations.add(
            (path.isEmpty() ? "<root>" : path)
                + ": "
                + rule.path("message").asText(rule.get("rule").asText()));
      }
    }
    if (value.isObject() && schema.has("properties")) {
      schema
          .get("properties")
          .fields()
          .forEachRemaining(
              property ->
                  checkRules(
                      property.getValue(),
                      value.get(property.getKey()),
                      path + "." + property.getKey(),
                      violations));
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        checkRules(schema.get("items"), value.get(i), path + "[" + i + "]", violations);
      }
    }
  }

  private static boolean evaluate(String rule, JsonNode self) {
    try {
      var program = CEL_RUNTIME.createProgram(CEL.compile(rule).getAst());
      return Boolean.TRUE.equals(program.eval(Map.of("self", toCel(self))));
    } catch (Exception e) {
      throw new IllegalStateException("CEL rule does not evaluate: " + rule, e);
    }
  }

  private static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.fields().forEachRemaining(field -> map.put(field.getKey(), toCel(field.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(element -> list.add(toCel(element)));
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
