package io.chatroom.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where messages are stored, parsed from the libpq-style URL operators already use in compose files
 * ({@code postgresql://user:pass@host:5432/db}) or an embedded SQLite file.
 *
 * @param jdbcUrl  what the driver connects to
 * @param user     may be null (trust auth, or SQLite)
 * @param password may be null
 * @param display  the URL without its password, safe to log and to print in errors
 */
public record DatabaseUrl(Kind kind, String jdbcUrl, String user, String password, String display) {

  public enum Kind { SQLITE, POSTGRES }

  static final String SETTING = "DATABASE_URL (--database-url)";
  private static final String FIX =
      "use postgresql://user:password@host:5432/dbname, or leave it unset for embedded SQLite in the data dir";

  /** The embedded default: one SQLite file in the data dir. */
  public static DatabaseUrl sqlite(Path file) {
    String path = file.toAbsolutePath().normalize().toString();
    return new DatabaseUrl(Kind.SQLITE, "jdbc:sqlite:" + path, null, null, "sqlite:" + path);
  }

  public static DatabaseUrl parse(String url, Path dataDir) {
    if (url == null || url.isBlank()) {
      return sqlite(dataDir.resolve("chatroom.db"));
    }
    String trimmed = url.trim();
    if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
      return postgres(trimmed);
    }
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(Kind.POSTGRES, trimmed, null, null, trimmed.replaceAll("password=[^&]*", "password=***"));
    }
    if (trimmed.startsWith("jdbc:sqlite:")) {
      return sqlite(dataDir.resolve(trimmed.substring("jdbc:sqlite:".length())));
    }
    if (trimmed.startsWith("sqlite:")) {
      String rest = trimmed.substring("sqlite:".length());
      if (rest.startsWith("//")) {
        rest = rest.substring(2);
      }
      if (rest.isEmpty()) {
        throw new ConfigException(SETTING, "sqlite: URL has no file path", "use sqlite:/path/to/chatroom.db");
      }
      return sqlite(dataDir.resolve(rest));
    }
    int colon = trimmed.indexOf(':');
    String scheme = colon > 0 ? trimmed.substring(0, colon) : trimmed;
    throw new ConfigException(SETTING, "unsupported database '" + scheme + "'", FIX);
  }

  private static DatabaseUrl postgres(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException(SETTING, "cannot parse the URL (" + e.getReason() + ")", FIX);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new ConfigException(SETTING, "the URL has no host", FIX);
    }
    String path = uri.getRawPath();
    if (path == null || path.length() <= 1) {
      throw new ConfigException(SETTING, "the URL names no database", FIX);
    }
    String database = decode(path.substring(1));
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int sep = userInfo.indexOf(':');
      user = decode(sep >= 0 ? userInfo.substring(0, sep) : userInfo);
      password = sep >= 0 ? decode(userInfo.substring(sep + 1)) : null;
    }
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(hostPart).append(':').append(port)
        .append('/').append(database);
    if (uri.getRawQuery() != null) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    String display = "postgresql://" + (user == null ? "" : user + "@") + hostPart + ":" + port + "/" + database;
    return new DatabaseUrl(Kind.POSTGRES, jdbc.toString(), user, password, display);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
