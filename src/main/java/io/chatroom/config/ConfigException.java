package io.chatroom.config;

/**
 * Bad configuration. The message is the single line an operator sees before exit code 2:
 * it names the setting, what is wrong, and how to fix it.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String setting, String problem, String fix) {
    super(setting + ": " + problem + "; " + fix, null, false, false);
  }
}
