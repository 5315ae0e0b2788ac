package io.chatroom.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything the server reads at start-up, resolved once as flags &gt; environment &gt; defaults.
 * Resolution fails with a {@link ConfigException} naming the setting and the fix.
 *
 * @param wsRatePerSecond steady per-connection frame rate; {@code wsBurst} frames may arrive at once
 * @param jwtSecret       null means: load or create the secret file in the data dir
 */
public record Config(
    String host,
    int port,
    Path dataDir,
    DatabaseUrl database,
    String jwtSecret,
    String logLevel,
    double wsRatePerSecond,
    int wsBurst,
    long pingIntervalMs) {

  /** Values given on the command line; null where a flag was not given. */
  public record Flags(String host, String port, String dataDir, String databaseUrl) {
    public static final Flags NONE = new Flags(null, null, null, null);
  }

  public static Config load(Flags flags, Map<String, String> env) {
    String host = pick(flags.host(), env, "CHATROOM_HOST", "0.0.0.0");
    int port = parsePort(pick(flags.port(), env, "CHATROOM_PORT", "8888"));
    Path dataDir = prepareDataDir(pick(flags.dataDir(), env, "CHATROOM_DATA_DIR", "./data"));
    DatabaseUrl database = DatabaseUrl.parse(pick(flags.databaseUrl(), env, "DATABASE_URL", null), dataDir);
    String jwtSecret = pick(null, env, "JWT_SECRET", null);
    if (jwtSecret != null && jwtSecret.length() < 32) {
      throw new ConfigException("JWT_SECRET", "is only " + jwtSecret.length() + " characters long",
          "use at least 32 random characters (e.g. openssl rand -hex 32), or unset it to have one generated");
    }
    String logLevel = pick(null, env, "LOG_LEVEL", "INFO").toUpperCase();
    if (!logLevel.matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF")) {
      throw new ConfigException("LOG_LEVEL", "'" + logLevel + "' is not a log level", "use one of TRACE, DEBUG, INFO, WARN, ERROR");
    }
    double rate = parsePositive(env, "CHATROOM_WS_RATE", "20");
    int burst = (int) parsePositive(env, "CHATROOM_WS_BURST", "40");
    long pingMs = (long) (parsePositive(env, "CHATROOM_PING_INTERVAL_SECONDS", "30") * 1000);
    return new Config(host, port, dataDir, database, jwtSecret, logLevel, rate, burst, pingMs);
  }

  /** The same configuration on another store; used by tests and tools that start servers. */
  public Config withDatabase(DatabaseUrl db) {
    return new Config(host, port, dataDir, db, jwtSecret, logLevel, wsRatePerSecond, wsBurst, pingIntervalMs);
  }

  private static String pick(String flag, Map<String, String> env, String name, String fallback) {
    if (flag != null && !flag.isBlank()) {
      return flag.trim();
    }
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException("CHATROOM_PORT (--port)", "'" + value + "' is not a port number", "use a number from 1 to 65535");
  }

  private static double parsePositive(Map<String, String> env, String name, String fallback) {
    String value = pick(null, env, name, fallback);
    try {
      double d = Double.parseDouble(value);
      if (d > 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(name, "'" + value + "' is not a positive number", "use a positive number, e.g. " + fallback);
  }

  private static Path prepareDataDir(String value) {
    Path dir = Path.of(value).toAbsolutePath().normalize();
    String setting = "CHATROOM_DATA_DIR (--data-dir)";
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new ConfigException(setting, "cannot write to " + dir,
          "point it at a writable directory or fix its permissions");
    }
    return dir;
  }
}
