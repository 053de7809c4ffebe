package io.scopeguard.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The resource a command acts on, as kubectl takes it: {@code KIND/NAME} and {@code -n}. */
public final class ResourceArgument {

  @Parameters(index = "0", paramLabel = "KIND/NAME", description = "e.g. kustomization/apps")
  String resource;

  @Option(
      names = {"-n", "--namespace"},
      description = "Namespace of the resource; default: the context's namespace, else default.")
  String namespace;

  /**
   * The resource named.
   *
   * @throws IllegalArgumentException with what to type instead (the command line prints it and
   *     exits 2)
   */
  ResourceName resolve(KubeTarget target) {
    return ResourceName.parse(resource, Commands.namespace(namespace, target));
  }
}
