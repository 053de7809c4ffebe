package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Predicts the object identities Flux's kustomize-controller applies for one artifact revision,
 * building the way it builds:
 *
 * <ol>
 *   <li>{@code spec.path} is resolved inside the artifact ({@code ..} stops at the root); a missing
 *       path fails the reconciliation before anything is pruned.
 *   <li>Without a kustomization file there, Flux generates one listing every {@code *.yaml} and
 *       {@code *.yml} below the path, taking a subdirectory with its own kustomization file as one
 *       entry without looking inside. An empty path builds to nothing, which prunes everything.
 *   <li>The spec's {@code targetNamespace}, {@code namePrefix} and {@code nameSuffix} replace the
 *       top-level kustomization's {@code namespace}, {@code namePrefix} and {@code nameSuffix}; its
 *       {@code patches} and {@code components} are appended to the top-level ones.
 *   <li>kustomize builds (see {@link KustomizeBuild}); every object needs an apiVersion, a kind and
 *       a name.
 *   <li>{@code postBuild} substitution where a name or namespace holds a {@code ${...}} expression
 *       (see {@link Substitution}).
 *   <li>Cluster-scoped kinds lose their namespace, as the API server drops it: the built-in kinds,
 *       those of {@code kinds}, and those of cluster-scoped CRDs in the same build.
 * </ol>
 *
 * <p>Pure: reads only {@code files}, no clock, no cluster, no logging.
 */
public final class KustomizePredictor {

  private static final String SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute";

  private KustomizePredictor() {}

  /**
   * As {@link #predict(SourceFiles, KustomizationSpecFacts, ScopedKinds, Budget)}, within the
   * default node budget.
   */
  public static Prediction predict(
      SourceFiles files, KustomizationSpecFacts spec, ScopedKinds kinds) {
    return predict(files, spec, kinds, Budget.nodes(Budgets.DEFAULT_NODES));
  }

  /**
   * The object identities Flux would apply for {@code files}, spending at most {@code budget}.
   *
   * @param kinds the cluster-scoped kinds the API server knows
   */
  public static Prediction predict(
      SourceFiles files, KustomizationSpecFacts spec, ScopedKinds kinds, Budget budget) {
    return Budgets.within(budget, () -> predictWithin(files, spec, kinds));
  }

  private static Prediction predictWithin(
      SourceFiles files, KustomizationSpecFacts spec, ScopedKinds kinds) {
    try {
      String dir = SourcePaths.clamp(spec.path());
      if (!files.isDirectory(dir)) {
        return Prediction.buildFails(
            files.isFile(dir)
                ? "kustomization path " + spec.path() + " is a file, not a directory"
                : "kustomization path not found: "
                    + (spec.path().isEmpty() ? "(artifact root)" : spec.path()));
      }
      List<Resource> built = new KustomizeBuild(files).run(fluxRoot(files, dir, spec));
      for (Resource resource : built) {
        if (resource.name().isEmpty()
            || resource.kind().isEmpty()
            || resource.apiVersion().isEmpty()) {
          return Prediction.buildFails(
              "an object from " + resource.origin + " has no apiVersion, kind or name");
        }
      }
      if (spec.postBuild()) {
        substitute(built, spec);
      }
      return Prediction.known(identities(built, kinds));
    } catch (Budget.OverBudget e) {
      return Prediction.unreadable(e.getMessage());
    } catch (Unpredictable e) {
      return Prediction.unknown(e.getMessage());
    } catch (BuildFailure e) {
      return Prediction.buildFails(e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      return Prediction.unreadable("the predictor could not read this artifact: " + e);
    } catch (OutOfMemoryError e) {
      return Prediction.unreadable("reading this artifact ran out of memory");
    }
  }

  /** The top-level kustomization as Flux rewrites it before building. */
  private static KustomizationFile fluxRoot(
      SourceFiles files, String dir, KustomizationSpecFacts spec) {
    KustomizationFile root =
        KustomizationFile.find(files, dir) != null
            ? KustomizationFile.load(files, dir, false)
            : generated(files, dir);
    ObjectNode content = root.content.deepCopy();
    if (!spec.targetNamespace().isEmpty()) {
      content.put("namespace", spec.targetNamespace());
    }
    if (!spec.namePrefix().isEmpty()) {
      content.put("namePrefix", spec.namePrefix());
    }
    if (!spec.nameSuffix().isEmpty()) {
      content.put("nameSuffix", spec.nameSuffix());
    }
    for (KustomizationSpecFacts.Patch patch : spec.patches()) {
      ObjectNode entry = array(content, "patches").addObject();
      entry.put("patch", patch.patch());
      if (!patch.target().isEmpty()) {
        ObjectNode target = entry.putObject("target");
        patch.target().forEach(target::put);
      }
    }
    for (String component : spec.components()) {
      if (SourcePaths.isRemote(component) || component.startsWith("/")) {
        throw new BuildFailure(
            "component path '" + component + "' in spec.components must be local and relative");
      }
      String componentDir = SourcePaths.resolve(dir, component, "spec.components");
      if (spec.ignoreMissingComponents()
          && !files.isDirectory(componentDir)
          && !files.isFile(componentDir)) {
        continue;
      }
      array(content, "components").add(component);
    }
    return new KustomizationFile(root.dir, root.path, content);
  }

  /** The kustomization Flux writes into a directory that has none. */
  private static KustomizationFile generated(SourceFiles files, String dir) {
    ObjectNode content = JsonNodeFactory.instance.objectNode();
    List<String> resources = new ArrayList<>();
    scan(files, dir, dir, resources);
    if (resources.isEmpty()) {
      content.put("namespace", "_placeholder");
    } else {
      ArrayNode list = content.putArray("resources");
      resources.forEach(list::add);
    }
    return new KustomizationFile(
        dir, SourcePaths.join(dir, "kustomization.yaml") + " (generated by Flux)", content);
  }

  private static void scan(SourceFiles files, String root, String dir, List<String> resources) {
    for (String name : new TreeSet<>(files.list(dir))) {
      String path = SourcePaths.join(dir, name);
      String relative = "./" + (root.isEmpty() ? path : path.substring(root.length() + 1));
      if (files.isDirectory(path)) {
        if (KustomizationFile.find(files, path) != null) {
          resources.add(relative);
        } else {
          scan(files, root, path, resources);
        }
      } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        ResourceFiles.read(YamlDocs.text(files, path), path);
        resources.add(relative);
      }
    }
  }

  private static ArrayNode array(ObjectNode content, String field) {
    JsonNode existing = content.get(field);
    return existing instanceof ArrayNode array ? array : content.putArray(field);
  }

  private static void substitute(List<Resource> built, KustomizationSpecFacts spec) {
    Substitution substitution =
        new Substitution(spec.postBuildSubstitute(), spec.postBuildSubstituteFrom());
    boolean runs = !spec.postBuildSubstitute().isEmpty() || spec.postBuildSubstituteFrom();
    for (Resource resource : built) {
      if ("disabled".equals(resource.labels().get(SUBSTITUTE_ANNOTATION))
          || "disabled".equals(resource.annotations().get(SUBSTITUTE_ANNOTATION))) {
        continue;
      }
      String where = resource.kind() + " " + resource.name() + " from " + resource.origin;
      for (String field : List.of("apiVersion", "kind")) {
        if (Substitution.hasExpression(Docs.text(resource.doc, field))) {
          throw new Unpredictable("postBuild substitution in the " + field + " of " + where);
        }
      }
      if (!Substitution.hasExpression(resource.name())
          && !Substitution.hasExpression(resource.namespace())) {
        continue;
      }
      if (!runs) {
        throw new Unpredictable(
            "${...} in the name or namespace of "
                + where
                + " while spec.postBuild sets no variables");
      }
      resource.setName(substitution.resolve(resource.name(), where));
      resource.setNamespace(substitution.resolve(resource.namespace(), where));
    }
  }

  private static Set<ObjectId> identities(List<Resource> built, ScopedKinds kinds) {
    Set<String> crds = new HashSet<>();
    for (Resource resource : built) {
      ResId id = resource.currentId();
      if (id.group().equals("apiextensions.k8s.io")
          && id.kind().equals("CustomResourceDefinition")
          && Docs.text(resource.doc.path("spec"), "scope").equals("Cluster")) {
        crds.add(
            ScopedKinds.key(
                Docs.text(resource.doc.path("spec"), "group"),
                Docs.text(resource.doc.path("spec").path("names"), "kind")));
      }
    }
    ScopedKinds scoped = kinds.or((group, kind) -> crds.contains(ScopedKinds.key(group, kind)));
    Set<ObjectId> ids = new TreeSet<>();
    for (Resource resource : built) {
      ResId id = resource.currentId();
      boolean clusterScoped = scoped.isClusterScoped(id.group(), id.kind());
      ids.add(new ObjectId(clusterScoped ? "" : id.namespace(), id.name(), id.group(), id.kind()));
    }
    return ids;
  }
}
