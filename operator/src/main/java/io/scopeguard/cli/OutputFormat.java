package io.scopeguard.cli;

import picocli.CommandLine.Option;

/** {@code -o text|json}. */
public final class OutputFormat {

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text (default) or json.")
  String output;

  boolean json() {
    return "json".equals(output);
  }
}
