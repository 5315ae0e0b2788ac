package io.chatroom.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who changed what, from where: one {@code audit_events} row per administrative action, from the command
 * line, the admin API or the server itself. Rows are only ever added. Blocking JDBC on the caller's
 * connection, so an action and its row can share one transaction.
 *
 * <p>The detail is a JSON object of facts about the action (counts, key names, flags); callers never put a
 * password, token or secret value in it.
 */
public final class AuditLog {
  /** The actor of what the server does by itself (a configuration reload). */
  public static final String SYSTEM = "system";
  public static final int DEFAULT_PAGE = 50;
  public static final int MAX_PAGE = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditLog() {}

  /** Every action that is audited, with the name it is stored and shown under. */
  public enum Action {
    USER_ADD("user.add"),
    USER_PROMOTE("user.promote"),
    USER_DEMOTE("user.demote"),
    USER_DISABLE("user.disable"),
    USER_ENABLE("user.enable"),
    USER_RESET_PASSWORD("user.reset_password"),
    ROOM_DELETE("room.delete"),
    CONFIG_RELOAD("config.reload");

    public final String wire;

    Action(String wire) {
      this.wire = wire;
    }
  }

  /** Who acts and from where. */
  public record Actor(String name, String origin) {
    /** The command line: {@code cli:<os user>} on this host. */
    public static Actor cli() {
      return new Actor("cli:" + System.getProperty("user.name", "unknown"), hostName());
    }

    /** The server itself, on the node named {@code node}. */
    public static Actor system(String node) {
      return new Actor(SYSTEM, node);
    }
  }

  /** One row as the admin API shows it. */
  public record Event(long id, long ts, String actor, String action, String target, JsonNode detail, String origin) {}

  /** Adds a row for {@code action} on {@code target}; returns its id. */
  public static long append(Connection c, Actor actor, Action action, String target, Map<String, ?> detail) throws SQLException {
    String json;
    try {
      json = JSON.writeValueAsString(detail == null ? Map.of() : detail);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("audit detail is not JSON-mappable", e);
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO audit_events (ts, actor, action, target, detail, origin) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setLong(1, System.currentTimeMillis());
      ps.setString(2, fit(actor.name(), 128));
      ps.setString(3, action.wire);
      ps.setString(4, fit(target, 256));
      ps.setString(5, json);
      ps.setString(6, fit(actor.origin(), 256));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Up to {@code limit} rows with an id below {@code before} (null: the newest), newest first. */
  public static List<Event> page(Connection c, Long before, int limit) throws SQLException {
    String sql = "SELECT id, ts, actor, action, target, detail, origin FROM audit_events"
        + (before == null ? "" : " WHERE id < ?") + " ORDER BY id DESC LIMIT ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (before != null) {
        ps.setLong(i++, before);
      }
      ps.setInt(i, limit);
      List<Event> events = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          events.add(new Event(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
              detail(rs.getString(6)), rs.getString(7)));
        }
      }
      return events;
    }
  }

  private static JsonNode detail(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      // written by this class, so always JSON; a hand-edited row still shows, as text
      return JSON.getNodeFactory().textNode(json);
    }
  }

  private static String fit(String value, int max) {
    String v = value == null ? "" : value;
    return v.length() <= max ? v : v.substring(0, max);
  }

  /** This machine's name, for the origin of command-line actions. */
  public static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
