package io.chatroom.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Everything the server reads at start-up, resolved once as flags &gt; environment &gt; defaults.
 * Resolution fails with a {@link ConfigException} naming the setting and the fix.
 *
 * @param wsRatePerSecond steady per-connection frame rate; {@code wsBurst} frames may arrive at once
 * @param apiRatePerSecond steady HTTP API request rate per user (or address), shared by all nodes with Redis
 * @param jwtSecret       null means: load or create the secret file in the data dir
 * @param allowedOrigins  browser origins allowed to open the WebSocket; empty: the server's own host
 * @param readDatabase    a read replica for older history pages (DATABASE_READ_URL); null: the primary serves all
 * @param redisUrl        Redis for cross-node fan-out; null: a single node with the in-memory broker
 * @param redisPrefix     namespaces this installation's Redis channels
 * @param ai              the assistant's provider and limits (AI_*)
 * @param backups         scheduled backups (BACKUP_*); the backup command's defaults too
 * @param presenceGraceMs how long a user who disconnected still counts as online (CHATROOM_PRESENCE_GRACE_SECONDS)
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
    double apiRatePerSecond,
    int apiBurst,
    long pingIntervalMs,
    Set<String> allowedOrigins,
    DatabaseUrl readDatabase,
    String redisUrl,
    String redisPrefix,
    Observability observability,
    AiSettings ai,
    Backups backups,
    long presenceGraceMs) {

  /** Values given on the command line; null where a flag was not given. */
  public record Flags(String host, String port, String dataDir, String databaseUrl) {
    public static final Flags NONE = new Flags(null, null, null, null);
  }

  /**
   * Resolves the settings from {@code flags} and {@code env}, with the file {@code CHATROOM_CONFIG_FILE} names
   * (if any) read over the environment ({@link ConfigFile}).
   */
  public static Config load(Flags flags, Map<String, String> environment) {
    Map<String, String> env = ConfigFile.over(environment);
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
    double apiRate = parsePositive(env, "CHATROOM_API_RATE", "20");
    int apiBurst = (int) parsePositive(env, "CHATROOM_API_BURST", "40");
    String redisUrl = pick(null, env, "REDIS_URL", null);
    if (redisUrl != null && !redisUrl.matches("rediss?://.+")) {
      throw new ConfigException("REDIS_URL", "'" + withoutPassword(redisUrl) + "' is not a redis:// URL",
          "use redis://[user:password@]host:6379[/db], or unset it to run a single node without Redis");
    }
    String redisPrefix = pick(null, env, "CHATROOM_REDIS_PREFIX", "chatroom");
    String readUrl = pick(null, env, "DATABASE_READ_URL", null);
    DatabaseUrl readDatabase = null;
    if (readUrl != null) {
      if (!readUrl.matches("(postgresql|postgres|jdbc:postgresql)://.+")) {
        throw new ConfigException("DATABASE_READ_URL", "is not a PostgreSQL URL",
            "point it at a PostgreSQL standby of DATABASE_URL (postgresql://user:pass@host:5432/db), or unset it");
      }
      readDatabase = DatabaseUrl.parse(readUrl, dataDir);
    }
    return new Config(host, port, dataDir, database, jwtSecret, logLevel, rate, burst, apiRate, apiBurst, pingMs, allowedOrigins(env),
        readDatabase, redisUrl, redisPrefix, observability(env, dataDir), AiSettings.load(env),
        backups(env, dataDir), (long) (parseNonNegative(env, "CHATROOM_PRESENCE_GRACE_SECONDS", "10") * 1000));
  }

  /**
   * Backups the server takes by itself, and where the backup command writes by default.
   *
   * @param interval how often; null: never (BACKUP_INTERVAL unset)
   * @param dir      BACKUP_DIR, relative to the data dir; created at start-up when backups are scheduled
   * @param keepDays backups older than this many days are deleted after each new one
   */
  public record Backups(java.time.Duration interval, Path dir, int keepDays) {}

  private static Backups backups(Map<String, String> env, Path dataDir) {
    String value = pick(null, env, "BACKUP_INTERVAL", null);
    java.time.Duration interval = null;
    if (value != null) {
      var m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd])").matcher(value.toLowerCase(java.util.Locale.ROOT));
      long amount = m.matches() ? Long.parseLong(m.group(1)) : 0;
      if (amount == 0) {
        throw new ConfigException("BACKUP_INTERVAL", "'" + value + "' is not an interval",
            "use a whole number and a unit (s, m, h or d), e.g. 6h or 30m, or unset it to turn scheduled backups off");
      }
      interval = java.time.Duration.ofSeconds(amount * switch (m.group(2)) {
        case "s" -> 1;
        case "m" -> 60;
        case "h" -> 3_600;
        default -> 86_400;
      });
    }
    Path dir = dataDir.resolve(pick(null, env, "BACKUP_DIR", "backups")).normalize();
    if (interval != null) {
      dir = writableDir(dir, "BACKUP_DIR");
    }
    String keep = pick(null, env, "BACKUP_KEEP_DAYS", "7");
    if (!keep.matches("\\d{1,5}") || Integer.parseInt(keep) < 1) {
      throw new ConfigException("BACKUP_KEEP_DAYS", "'" + keep + "' is not a number of days", "use a whole number from 1, e.g. 7");
    }
    return new Backups(interval, dir, Integer.parseInt(keep));
  }

  /** CHATROOM_ALLOWED_ORIGINS: origins a browser page may open /ws from; empty means the server's own host only. */
  private static Set<String> allowedOrigins(Map<String, String> env) {
    Set<String> origins = new java.util.LinkedHashSet<>();
    for (String origin : pick(null, env, "CHATROOM_ALLOWED_ORIGINS", "").split(",")) {
      String o = origin.trim().toLowerCase(java.util.Locale.ROOT);
      if (o.isEmpty()) {
        continue;
      }
      if (!o.matches("https?://[a-z0-9.\\[\\]:-]+")) {
        throw new ConfigException("CHATROOM_ALLOWED_ORIGINS", "'" + origin.trim() + "' is not an origin",
            "list origins as scheme://host[:port] separated by commas, e.g. https://chat.example.com");
      }
      origins.add(o);
    }
    return java.util.Collections.unmodifiableSet(origins);
  }

  private static Observability observability(Map<String, String> env, Path dataDir) {
    String format = pick(null, env, "LOG_FORMAT", "json").toLowerCase(java.util.Locale.ROOT);
    if (!format.equals("json") && !format.equals("text")) {
      throw new ConfigException("LOG_FORMAT", "'" + format + "' is not a log format", "use json (the default) or text");
    }
    String logDirValue = pick(null, env, "LOG_DIR", null);
    Path logDir = logDirValue == null ? null : writableDir(dataDir.resolve(logDirValue), "LOG_DIR");
    String endpoint = url(env, "OTEL_EXPORTER_OTLP_ENDPOINT",
        "use the collector's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318, or unset it");
    Set<String> admins = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : pick(null, env, "ADMIN_USERS", "").split(",")) {
      if (!name.isBlank()) {
        admins.add(name.trim());
      }
    }
    String rulesValue = pick(null, env, "ALERT_RULES_FILE", null);
    Path rules = rulesValue == null ? null : Path.of(rulesValue).toAbsolutePath();
    if (rules != null && !Files.isReadable(rules)) {
      throw new ConfigException("ALERT_RULES_FILE", "cannot read " + rules, "point it at a readable YAML file, or unset it for the defaults");
    }
    String webhook = url(env, "ALERT_WEBHOOK_URL", "use the full webhook URL, or unset it");
    String slack = url(env, "ALERT_SLACK_WEBHOOK_URL", "use the full webhook URL, or unset it");
    double shedCpu = percent(env, "SHED_CPU_PERCENT", "90");
    double shedMemory = percent(env, "SHED_MEMORY_PERCENT", "95");
    return new Observability(pick(null, env, "CHATROOM_NODE_ID", hostName()), format.equals("json"), logDir,
        (int) parsePositive(env, "LOG_RETENTION_DAYS", "14"),
        endpoint, pick(null, env, "OTEL_SERVICE_NAME", "chatroom"),
        java.util.Collections.unmodifiableSet(admins),
        pick(null, env, "ALERTS_WEBHOOK_TOKEN", null),
        (long) (parsePositive(env, "MONITOR_INTERVAL_SECONDS", "60") * 1000),
        rules, webhook, slack,
        (int) parsePositive(env, "CHATROOM_MAX_CONNECTIONS", "10000"),
        shedCpu, shedMemory,
        (long) (parsePositive(env, "SHED_CHECK_INTERVAL_SECONDS", "5") * 1000),
        (long) (parsePositive(env, "SHED_COOLDOWN_SECONDS", "30") * 1000));
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  private static String url(Map<String, String> env, String name, String fix) {
    String value = pick(null, env, name, null);
    if (value != null && !value.matches("https?://.+")) {
      throw new ConfigException(name, "'" + value + "' is not an http(s) URL", fix);
    }
    return value;
  }

  /** REDIS_URL as it may be shown in logs and errors: any password replaced by ***. */
  public String redisDisplay() {
    return redisUrl == null ? null : withoutPassword(redisUrl);
  }

  private static String withoutPassword(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }

  private static double percent(Map<String, String> env, String name, String fallback) {
    String value = pick(null, env, name, fallback);
    try {
      double d = Double.parseDouble(value);
      if (d >= 0 && d <= 100) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(name, "'" + value + "' is not a percentage", "use a number from 0 to 100, e.g. " + fallback);
  }

  /** The same configuration on another store; used by tests and tools that start servers. */
  public Config withDatabase(DatabaseUrl db) {
    return new Config(host, port, dataDir, db, jwtSecret, logLevel, wsRatePerSecond, wsBurst, apiRatePerSecond, apiBurst,
        pingIntervalMs, allowedOrigins,
        readDatabase, redisUrl, redisPrefix, observability, ai, backups, presenceGraceMs);
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

  private static double parseNonNegative(Map<String, String> env, String name, String fallback) {
    String value = pick(null, env, name, fallback);
    try {
      double d = Double.parseDouble(value);
      if (d >= 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(name, "'" + value + "' is not a number of seconds", "use 0 or more, e.g. " + fallback);
  }

  private static Path prepareDataDir(String value) {
    return writableDir(Path.of(value), "CHATROOM_DATA_DIR (--data-dir)");
  }

  private static Path writableDir(Path path, String setting) {
    Path dir = path.toAbsolutePath().normalize();
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
