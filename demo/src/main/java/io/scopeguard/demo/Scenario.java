package io.scopeguard.demo;

/**
 * One story the demo tells and the end-to-end suite asserts: it creates what the story needs
 * through the API, waits for scopeguard to act, and prints what scopeguard recorded.
 */
public interface Scenario {

  /** Short name used on the command line, e.g. {@code scopes}. */
  String name();

  /** One line saying what the scenario shows. */
  String title();

  /** Plays the scenario against a running scopeguard. */
  void play(ScenarioContext context);
}
