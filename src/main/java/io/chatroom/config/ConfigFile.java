package io.chatroom.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code CHATROOM_CONFIG_FILE}: settings in a file, one {@code NAME=value} a line with the environment's
 * names, read over the environment (a name in the file wins; an empty value unsets it). The environment of
 * a running process cannot change, so this file is what a node re-reads when told to reload (SIGHUP).
 *
 * <p>Blank lines and lines starting with {@code #} are skipped; {@code export NAME=value} is accepted, and
 * one pair of matching quotes around a value is removed. Nothing is expanded.
 */
public final class ConfigFile {
  public static final String SETTING = "CHATROOM_CONFIG_FILE";
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String FIX = "write one NAME=value a line (# starts a comment), or unset " + SETTING;

  private ConfigFile() {}

  /**
   * {@code env} with the file it names read over it, or {@code env} itself when it names none. Reads the
   * file once: given its own result, it returns it unchanged.
   *
   * @throws ConfigException naming {@value #SETTING} when the file cannot be read or has a bad line
   */
  public static Map<String, String> over(Map<String, String> env) {
    if (env instanceof Merged) {
      return env;
    }
    String name = env.get(SETTING);
    if (name == null || name.isBlank()) {
      return env;
    }
    Map<String, String> merged = new HashMap<>(env);
    merged.putAll(read(Path.of(name.trim())));
    return new Merged(Collections.unmodifiableMap(merged));
  }

  /** The settings in {@code file}, in file order. */
  static Map<String, String> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(SETTING, "cannot read " + file.toAbsolutePath(), "point it at a readable file, or unset it");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).strip();
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq < 0 || !NAME.matcher(key).matches()) {
        throw new ConfigException(SETTING, file + " line " + (i + 1) + " is not NAME=value", FIX);
      }
      if (key.equals(SETTING)) {
        throw new ConfigException(SETTING, file + " line " + (i + 1) + " names another file", "set " + SETTING + " in the environment only");
      }
      settings.put(key, unquote(line.substring(eq + 1).strip()));
    }
    return settings;
  }

  private static String unquote(String value) {
    if (value.length() >= 2) {
      char first = value.charAt(0);
      if ((first == '"' || first == '\'') && value.charAt(value.length() - 1) == first) {
        return value.substring(1, value.length() - 1);
      }
    }
    return value;
  }

  /** The environment with the file read over it; marked so that it is not read twice. */
  private static final class Merged extends AbstractMap<String, String> {
    private final Map<String, String> settings;

    Merged(Map<String, String> settings) {
      this.settings = settings;
    }

    @Override
    public String get(Object key) {
      return settings.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return settings.containsKey(key);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      return settings.entrySet();
    }
  }
}
