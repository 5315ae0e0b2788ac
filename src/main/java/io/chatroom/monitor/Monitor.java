package io.chatroom.monitor;

import io.chatroom.observability.Metrics;
import io.chatroom.store.Database;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in monitor: what an operator without Prometheus still gets. Every interval it samples the
 * machine and the application, keeps the last {@value #RING_SIZE} samples in memory (24 h at the default
 * minute), stores each one so a restart reloads the day, evaluates the alert rules and hands what fires or
 * resolves to the notifiers. Sampling runs on a worker thread; notifiers run on their own.
 */
public final class Monitor {
  private static final Logger log = LoggerFactory.getLogger(Monitor.class);
  static final int RING_SIZE = 1440;
  static final long KEEP_MS = 24 * 3_600_000L;

  private final Vertx vertx;
  private final Metrics metrics;
  private final SystemProbe probe;
  private final Database db;
  private final MonitorStore store;
  private final AlertEngine alerts;
  private final List<Notifier> notifiers;
  private final String node;
  private final long intervalMs;
  private final ArrayDeque<Sample> ring = new ArrayDeque<>(RING_SIZE);
  /** Totals at the previous tick, from which per-interval figures are computed. */
  private Totals previous;
  private long timerId = -1;
  private volatile boolean ticking;

  private record Totals(long atMs, long messages, Metrics.HttpTotals http) {}

  public Monitor(Vertx vertx, Metrics metrics, SystemProbe probe, Database db, MonitorStore store, AlertEngine alerts,
      List<Notifier> notifiers, String node, long intervalMs) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.probe = probe;
    this.db = db;
    this.store = store;
    this.alerts = alerts;
    this.notifiers = List.copyOf(notifiers);
    this.node = node;
    this.intervalMs = intervalMs;
    this.previous = totals(System.currentTimeMillis());
    for (AlertRule.Severity severity : AlertRule.Severity.values()) {
      Gauge.builder("chatroom.alerts.firing", alerts, a -> a.firing(severity))
          .tag("severity", severity.label())
          .description("Built-in alert rules firing now")
          .register(metrics.registry());
    }
  }

  /** Reloads the stored day, then samples every interval. */
  public Future<Void> start() {
    long now = System.currentTimeMillis();
    return store.load(now - KEEP_MS).map(stored -> {
      synchronized (ring) {
        for (Sample s : stored) {
          remember(s);
        }
      }
      timerId = vertx.setPeriodic(intervalMs, id -> {
        // a tick that outlasts the interval (a slow disk, a busy pool) is not overlapped: samples and
        // alert evaluations must stay in time order
        if (!ticking) {
          ticking = true;
          tick().onComplete(ar -> ticking = false);
        }
      });
      return null;
    });
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }

  public String node() {
    return node;
  }

  public AlertEngine alerts() {
    return alerts;
  }

  /** Takes a sample, keeps and stores it, and acts on the alerts it changes. Returns the sample. */
  public Future<Sample> tick() {
    return sample(true).compose(sample -> {
      synchronized (ring) {
        remember(sample);
      }
      List<AlertEvent> events = alerts.evaluate(sample);
      for (AlertEvent event : events) {
        log.warn("alert {}", event.text(node));
        store.saveAlert(event).onFailure(e -> log.warn("could not store alert event: {}", e.toString()));
        if (event.notified()) {
          for (Notifier n : notifiers) {
            n.notify(event, node);
          }
        }
      }
      return store.save(sample, sample.timestamp() - KEEP_MS)
          .recover(e -> {
            log.warn("could not store a monitor sample: {}", e.toString());
            return Future.succeededFuture();
          })
          .map(sample);
    });
  }

  /** This node's newest alert events, newest first. */
  public Future<List<AlertEvent>> alertHistory(int limit) {
    return store.alerts(limit);
  }

  /** A fresh sample, not kept: per-interval figures cover the time since the last tick. */
  public Future<Sample> current() {
    return sample(false);
  }

  /** Samples from the last {@code hours}, oldest first. */
  public List<Sample> history(int hours) {
    long since = System.currentTimeMillis() - hours * 3_600_000L;
    synchronized (ring) {
      return ring.stream().filter(s -> s.timestamp() >= since).toList();
    }
  }

  /** Average, maximum and minimum of every figure over the last {@code hours}. */
  public Map<String, Object> summary(int hours) {
    List<Sample> samples = history(hours);
    Map<String, Object> figures = new LinkedHashMap<>();
    for (Figure f : Figure.values()) {
      double sum = 0;
      double max = Double.NEGATIVE_INFINITY;
      double min = Double.POSITIVE_INFINITY;
      int n = 0;
      for (Sample s : samples) {
        double v = s.get(f);
        if (Double.isFinite(v)) {
          sum += v;
          max = Math.max(max, v);
          min = Math.min(min, v);
          n++;
        }
      }
      Map<String, Object> stats = new LinkedHashMap<>();
      stats.put("avg", n == 0 ? null : sum / n);
      stats.put("max", n == 0 ? null : max);
      stats.put("min", n == 0 ? null : min);
      figures.put(f.key(), stats);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("hours", hours);
    body.put("samples", samples.size());
    body.put("figures", figures);
    return body;
  }

  private void remember(Sample s) {
    if (ring.size() == RING_SIZE) {
      ring.removeFirst();
    }
    ring.addLast(s);
  }

  private Future<Sample> sample(boolean advance) {
    return db.read(c -> {
      Map<Figure, Double> f = new EnumMap<>(Figure.class);
      f.putAll(probe.read());
      long now = System.currentTimeMillis();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(last_seq), 0) FROM rooms")) {
        rs.next();
        f.put(Figure.TOTAL_MESSAGES, (double) rs.getLong(1));
      }
      f.put(Figure.OPEN_CONNECTIONS, (double) metrics.connectionsActive());
      f.put(Figure.ACTIVE_USERS, (double) metrics.usersOnline());
      f.put(Figure.DB_CONNECTIONS, (double) db.activeConnections());
      synchronized (this) {
        Totals current = totals(now);
        double minutes = Math.max(1, current.atMs() - previous.atMs()) / 60_000.0;
        long requests = current.http().requests() - previous.http().requests();
        f.put(Figure.MESSAGES_PER_MINUTE, (current.messages() - previous.messages()) / minutes);
        f.put(Figure.AVG_RESPONSE_MS, requests == 0 ? 0 : (current.http().nanos() - previous.http().nanos()) / 1e6 / requests);
        f.put(Figure.ERROR_RATE_PERCENT, requests == 0 ? 0 : 100.0 * (current.http().errors() - previous.http().errors()) / requests);
        if (advance) {
          previous = current;
        }
      }
      return new Sample(now, f);
    });
  }

  private Totals totals(long now) {
    return new Totals(now, metrics.messagesTotal(), metrics.httpTotals());
  }

  /** Samples as JSON, for the admin API. */
  public static List<Map<String, Object>> toJson(List<Sample> samples) {
    List<Map<String, Object>> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      out.add(s.toJson());
    }
    return out;
  }
}
