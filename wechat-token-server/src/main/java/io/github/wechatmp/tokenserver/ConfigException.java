package io.github.wechatmp.tokenserver;

/**
 * A configuration the server refuses to start with. Its message is one line, names the setting, and
 * never holds a secret.
 */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigException(String message) {
    super(message);
  }
}
