package io.chatroom.backup;

import io.chatroom.config.DatabaseUrl;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's own {@code pg_dump} and {@code pg_restore} against a {@link DatabaseUrl}. The password
 * goes in the child's environment (PGPASSWORD), never on its command line, where {@code ps} would show it.
 */
final class PgTools {
  /** Why an hour: a dump or restore of a large database legitimately takes long; a hung one must still end. */
  private static final long TIMEOUT_MINUTES = 60;

  private PgTools() {}

  /** The executable named {@code tool} on PATH, or null when there is none. */
  static Path find(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Connection arguments and environment for a libpq tool. */
  record Target(List<String> args, Map<String, String> env) {}

  static Target target(DatabaseUrl url) {
    URI uri;
    try {
      uri = new URI(url.jdbcUrl().substring("jdbc:".length()));
    } catch (URISyntaxException e) {
      throw new BackupException("cannot read " + url.display() + " as a PostgreSQL URL for pg_dump (" + e.getReason() + ")");
    }
    Map<String, String> query = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    List<String> args = new ArrayList<>();
    String host = uri.getHost() == null ? "localhost" : uri.getHost().replaceAll("^\\[|]$", "");
    args.add("--host=" + host);
    args.add("--port=" + (uri.getPort() == -1 ? 5432 : uri.getPort()));
    String user = url.user() != null ? url.user() : query.get("user");
    if (user != null) {
      args.add("--username=" + user);
    }
    args.add("--no-password"); // never wait for a prompt nobody answers
    String path = uri.getPath() == null ? "" : uri.getPath();
    args.add("--dbname=" + (path.startsWith("/") ? path.substring(1) : path));
    Map<String, String> env = new HashMap<>();
    String password = url.password() != null ? url.password() : query.get("password");
    if (password != null) {
      env.put("PGPASSWORD", password);
    }
    if (query.containsKey("sslmode")) {
      env.put("PGSSLMODE", query.get("sslmode"));
    }
    return new Target(args, env);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** {@code name} as a pg_dump pattern that matches exactly that schema. */
  static String exactName(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Runs {@code command} and returns its standard output.
   *
   * @throws BackupException when it cannot start, fails, or outlives {@link #TIMEOUT_MINUTES}; the message
   *     carries the tool's first error line
   */
  static String run(List<String> command, Map<String, String> env, String what) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path stderr = null;
    try {
      stderr = Files.createTempFile("chatroom-" + Path.of(command.get(0)).getFileName(), ".err");
      pb.redirectError(stderr.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new BackupException(what + " did not finish within " + TIMEOUT_MINUTES + " minutes");
      }
      if (p.exitValue() != 0) {
        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        String reason = lines.stream().filter(l -> l.contains("error:")).findFirst()
            .orElse(lines.isEmpty() ? "exit code " + p.exitValue() : lines.get(lines.size() - 1)).strip();
        throw new BackupException(what + " failed: " + reason);
      }
      return out;
    } catch (IOException e) {
      throw new BackupException("cannot run " + command.get(0) + " (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackupException(what + " was interrupted", e);
    } finally {
      if (stderr != null) {
        Export.deleteQuietly(stderr);
      }
    }
  }
}
