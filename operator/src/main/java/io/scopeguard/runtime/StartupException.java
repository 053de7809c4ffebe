package io.scopeguard.runtime;

/** Start-up cannot go on; the message is the one line an operator reads to fix it. */
public class StartupException extends RuntimeException {

  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
