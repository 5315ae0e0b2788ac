package io.chatroom.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chatroom.Main;
import io.chatroom.cli.ServeCommand;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * What the deploy tests share: where the packaging files are, how they are read (YAML, the Dockerfile's instructions,
 * NAME=value lines, Compose's {@code ${VAR}} interpolation) and the server's own view of an environment. Nothing here
 * runs a container engine, a cluster or systemd; the files are read and compared with the server.
 *
 * <p>Which environment variables the server reads is asked of the server: {@link #serverReads} runs
 * {@link Config#load} (what {@code serve} calls with the process environment) on a map that notes every lookup. A
 * setting added to or dropped from Config changes what the deploy files may pass without anyone editing a list here,
 * and every environment the files give a node must also pass Config's own validation ({@link #accepted}).
 */
final class DeployFiles {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path COMPOSE = DEPLOY.resolve("compose.yml");
  static final Path ENV_EXAMPLE = ROOT.resolve(".env.example");
  static final Path DOCKERFILE = ROOT.resolve("Dockerfile");
  static final Path K8S = DEPLOY.resolve("k8s");
  static final Path UNIT = DEPLOY.resolve("systemd/chatroom.service");
  static final Path UNIT_ENV = DEPLOY.resolve("systemd/chatroom.env.example");
  /** ChatServer.close waits up to this long for Vert.x to close, after the drain. */
  static final long VERTX_CLOSE_SECONDS = 10;
  /** ${NAME}, ${NAME:-default} and the other Compose forms, $NAME, and $$ (a literal $). */
  static final Pattern VARIABLE =
      Pattern.compile("\\$(?:\\$|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\\}|([A-Za-z_][A-Za-z0-9_]*))");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private DeployFiles() {}

  // ================================================================ the server

  /**
   * Every environment variable Config.load looks up, recorded while it resolves an otherwise empty environment (its
   * data dir under {@code tmp}, the test's temporary directory).
   */
  static Set<String> serverReads(Path tmp) {
    Set<String> names = new TreeSet<>();
    load(Map.of("CHATROOM_DATA_DIR", tmp.resolve("probe").toString()), names);
    return names;
  }

  /**
   * The server's own verdict on {@code env}: Config.load must accept it. Directories are container or host paths, so
   * the data dir and LOG_DIR move under {@code tmp}, the test's temporary directory, first.
   */
  static Config accepted(Path tmp, Map<String, String> env, String where) {
    Map<String, String> local = new HashMap<>(env);
    local.put("CHATROOM_DATA_DIR", tmp.resolve("data").toString());
    if (local.getOrDefault("LOG_DIR", "").isBlank()) {
      local.remove("LOG_DIR");
    } else {
      local.put("LOG_DIR", tmp.resolve("logs").toString());
    }
    try {
      return load(local, new TreeSet<>());
    } catch (ConfigException e) {
      throw new AssertionError("the server refuses the environment of " + where + ": " + e.getMessage(), e);
    }
  }

  private static Config load(Map<String, String> env, Set<String> lookedUp) {
    Map<String, String> recording = new AbstractMap<>() {
      @Override
      public String get(Object key) {
        lookedUp.add((String) key);
        return env.get(key);
      }

      @Override
      public boolean containsKey(Object key) {
        lookedUp.add((String) key);
        return env.containsKey(key);
      }

      @Override
      public Set<Entry<String, String>> entrySet() {
        return env.entrySet();
      }
    };
    return Config.load(Config.Flags.NONE, recording);
  }

  /**
   * The longest a clean shutdown takes: ChatServer.close waits DRAIN_TIMEOUT_MS plus 1 s for the drain, then up to
   * {@link #VERTX_CLOSE_SECONDS} for Vert.x. Read from the server, so that a longer drain shows up here.
   */
  static long shutdownSeconds() {
    try {
      var field = Class.forName("io.chatroom.ChatServer").getDeclaredField("DRAIN_TIMEOUT_MS");
      field.setAccessible(true);
      return (field.getLong(null) + 1_000 + 999) / 1_000 + VERTX_CLOSE_SECONDS;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("ChatServer.DRAIN_TIMEOUT_MS is gone: say here how long a shutdown takes now", e);
    }
  }

  static void assertRunsServe(List<String> args, String where) {
    CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.hasSubcommand()).as("%s runs a subcommand: %s", where, args).isTrue();
    assertThat(parsed.subcommand().commandSpec().userObject()).as("%s runs %s", where, args).isInstanceOf(ServeCommand.class);
  }

  // ================================================================ .env-style files and ${VAR} interpolation

  static Map<String, String> assignments(List<String> lines) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : lines) {
      String l = line.trim();
      if (!l.isEmpty() && !l.startsWith("#")) {
        assertThat(l).as("NAME=value").matches("[A-Za-z_][A-Za-z0-9_]*=.*");
        env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
      }
    }
    return env;
  }

  static Set<String> variablesIn(String s) {
    Set<String> names = new TreeSet<>();
    Matcher m = VARIABLE.matcher(s);
    while (m.find()) {
      if (m.group(1) != null || m.group(4) != null) {
        names.add(m.group(1) != null ? m.group(1) : m.group(4));
      }
    }
    return names;
  }

  /** Compose's interpolation of one value; a required variable that is missing fails the test. */
  static String interpolate(String s, Map<String, String> vars) {
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(4);
      String value = name == null ? null : vars.get(name);
      String op = m.group(2);
      String arg = m.group(3);
      boolean empty = value == null || value.isEmpty();
      String replacement;
      if (name == null) {
        replacement = "$";
      } else if (op == null) {
        replacement = value == null ? "" : value;
      } else {
        boolean absent = op.startsWith(":") ? empty : value == null;
        replacement = switch (op.substring(op.length() - 1)) {
          case "-" -> absent ? arg : value;
          case "+" -> absent ? "" : arg;
          default -> {
            if (absent) {
              fail("%s is required: %s", name, arg);
            }
            yield value;
          }
        };
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  // ================================================================ the Dockerfile

  /** Instructions per stage, each {keyword, arguments}, continuation lines joined and comments dropped. */
  static List<List<String[]>> dockerStages() {
    List<List<String[]>> stages = new ArrayList<>();
    StringBuilder logical = new StringBuilder();
    try {
      for (String line : Files.readAllLines(DOCKERFILE)) {
        if (line.trim().startsWith("#")) {
          continue;
        }
        if (line.endsWith("\\")) {
          logical.append(line, 0, line.length() - 1).append(' ');
          continue;
        }
        String instruction = logical.append(line).toString().trim();
        logical.setLength(0);
        if (instruction.isEmpty()) {
          continue;
        }
        String[] parts = instruction.split("\\s+", 2);
        String[] i = {parts[0].toUpperCase(), parts.length > 1 ? parts[1].trim().replaceAll("\\s+", " ") : ""};
        if (i[0].equals("FROM")) {
          stages.add(new ArrayList<>());
        }
        assertThat(stages).as("an instruction before FROM: %s", instruction).isNotEmpty();
        stages.get(stages.size() - 1).add(i);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return stages;
  }

  static List<String[]> runtime() {
    List<List<String[]>> stages = dockerStages();
    return stages.get(stages.size() - 1);
  }

  static String last(List<String[]> stage, String keyword) {
    String found = null;
    for (String[] i : stage) {
      if (i[0].equals(keyword)) {
        found = i[1];
      }
    }
    return found;
  }

  static Map<String, String> dockerEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String[] i : runtime()) {
      if (i[0].equals("ENV")) {
        for (String word : words(i[1])) {
          env.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        }
      }
    }
    return env;
  }

  static List<String> entrypoint() {
    return jsonArray(last(runtime(), "ENTRYPOINT"));
  }

  static List<String> jsonArray(String exec) {
    assertThat(exec).as("exec form (a JSON array), so that signals reach the process").startsWith("[");
    try {
      return jsonList(new ObjectMapper().readTree(exec));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ================================================================ general

  static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " is not YAML", e);
    }
  }

  /** Every text value in the tree (not the keys: Compose interpolates values only). */
  static void strings(JsonNode node, Consumer<String> each) {
    if (node.isTextual()) {
      each.accept(node.asText());
    }
    node.forEach(child -> strings(child, each));
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().asText()));
    return map;
  }

  static List<String> jsonList(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(v -> list.add(v.asText()));
    return list;
  }

  /** Words split on blanks outside double quotes, the quotes removed (ENV, Environment=). */
  static List<String> words(String s) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("(?:\"[^\"]*\"|[^\\s\"])+").matcher(s);
    while (m.find()) {
      words.add(m.group().replace("\"", ""));
    }
    return words;
  }

  /** The chatroom arguments of a command line: what follows {@code -jar <file>}. */
  static List<String> tokensAfterJar(String command) {
    List<String> tokens = Arrays.asList(command.trim().split("\\s+"));
    int jar = tokens.indexOf("-jar");
    assertThat(jar).as("%s runs a jar", command).isNotNegative();
    return tokens.subList(jar + 2, tokens.size());
  }

  static List<String> matches(String text, String regex) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  static String single(List<String> values) {
    return single(values, s -> s);
  }

  static <T> T single(List<String> values, Function<String, T> parse) {
    assertThat(new LinkedHashSet<>(values)).hasSize(1);
    return parse.apply(values.get(0));
  }

  /** "30s", "1m30s", "2min", "45" (seconds) as seconds. */
  static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)\\s*(ms|min|h|m|s)?").matcher(duration.trim());
    long total = 0;
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      total += switch (unit) {
        case "ms" -> n / 1000;
        case "m", "min" -> n * 60;
        case "h" -> n * 3600;
        default -> n;
      };
    }
    return total;
  }
}
