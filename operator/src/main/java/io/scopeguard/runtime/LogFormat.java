package io.scopeguard.runtime;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * How scopeguard's logs are written: {@code plain} (one line per event, {@code logback.xml}, the
 * default) or {@code json} (one JSON object per event with the decision's fields, {@code
 * logback-json.xml}), chosen on the command line once it is parsed.
 */
public enum LogFormat {
  plain("logback.xml"),
  json("logback-json.xml");

  private final String resource;

  LogFormat(String resource) {
    this.resource = resource;
  }

  /** Reconfigures logging in this format (nothing to do for the default unless it was changed). */
  public void use() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    URL configuration = LogFormat.class.getClassLoader().getResource(resource);
    if (configuration == null) {
      throw new IllegalStateException(resource + " is missing from the classpath");
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure " + name() + " logs: " + e.getMessage(), e);
    }
  }
}
