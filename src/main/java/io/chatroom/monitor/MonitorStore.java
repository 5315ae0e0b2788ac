package io.chatroom.monitor;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.store.Database;
import io.vertx.core.Future;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps this node's samples and alert events in the database, so a restart does not lose the day. */
public final class MonitorStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final Database db;
  private final String node;

  public MonitorStore(Database db, String node) {
    this.db = db;
    this.node = node;
  }

  /** Stores a sample and forgets this node's samples older than {@code keepSinceMs}. */
  public Future<Void> save(Sample sample, long keepSinceMs) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO monitor_samples (node, ts, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
        ps.setString(1, node);
        ps.setLong(2, sample.timestamp());
        ps.setString(3, JSON.writeValueAsString(sample.toJson()));
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM monitor_samples WHERE node = ? AND ts < ?")) {
        ps.setString(1, node);
        ps.setLong(2, keepSinceMs);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** This node's samples since {@code sinceMs}, oldest first. */
  public Future<List<Sample>> load(long sinceMs) {
    return db.read(c -> {
      List<Sample> samples = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT data FROM monitor_samples WHERE node = ? AND ts >= ? ORDER BY ts")) {
        ps.setString(1, node);
        ps.setLong(2, sinceMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            samples.add(Sample.fromJson(JSON.readValue(rs.getString(1), MAP)));
          }
        }
      }
      return samples;
    });
  }

  public Future<Void> saveAlert(AlertEvent e) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_events "
          + "(node, rule, severity, state, figure, value, threshold, summary, notified, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, node);
        ps.setString(2, e.rule());
        ps.setString(3, e.severity().label());
        ps.setString(4, e.state().label());
        ps.setString(5, e.figure().key());
        ps.setDouble(6, finite(e.value()));
        ps.setDouble(7, e.threshold());
        ps.setString(8, e.summary());
        ps.setBoolean(9, e.notified());
        ps.setLong(10, e.timestamp());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The newest {@code limit} alert events of this node, newest first. */
  public Future<List<AlertEvent>> alerts(int limit) {
    return db.read(c -> {
      List<AlertEvent> events = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT rule, severity, state, figure, value, threshold, summary, notified, ts "
          + "FROM alert_events WHERE node = ? ORDER BY ts DESC, id DESC LIMIT ?")) {
        ps.setString(1, node);
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            events.add(new AlertEvent(rs.getString(1), AlertRule.Severity.of(rs.getString(2)), AlertEvent.State.of(rs.getString(3)),
                Figure.ofKey(rs.getString(4)), rs.getDouble(5), rs.getDouble(6), rs.getString(7), rs.getBoolean(8), rs.getLong(9)));
          }
        }
      }
      return events;
    });
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}
