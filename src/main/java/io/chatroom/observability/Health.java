package io.chatroom.observability;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Liveness details and readiness. Each check is bounded by {@link #CHECK_TIMEOUT_MS}, so a hung database
 * makes a probe answer "DOWN" quickly instead of making the probe itself time out.
 */
public final class Health {
  static final long CHECK_TIMEOUT_MS = 2_000;

  /** Where the node is in its life; only READY takes traffic. */
  public enum State { STARTING, READY, DRAINING }

  /** A named check: its details, with "status" UP or DOWN. A failed future counts as DOWN. */
  public record Check(String name, boolean critical, Supplier<Future<Map<String, Object>>> probe) {}

  /** A finished run: the JSON body and whether every critical check is up. */
  public record Report(Map<String, Object> body, boolean criticalUp) {}

  private final String version;
  private final List<Check> checks = new ArrayList<>();
  private volatile State state = State.STARTING;

  public Health(String version) {
    this.version = version;
  }

  /** Adds a check; critical ones (the database) decide readiness. */
  public Health register(Check check) {
    checks.add(check);
    return this;
  }

  public State state() {
    return state;
  }

  public void state(State state) {
    this.state = state;
  }

  public Future<Report> run() {
    List<Future<Map<String, Object>>> results = new ArrayList<>();
    for (Check check : checks) {
      Future<Map<String, Object>> result;
      try {
        result = check.probe().get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      results.add(result.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .otherwise(e -> down(e)));
    }
    return Future.join(results).transform(ignored -> {
      Map<String, Object> detail = new LinkedHashMap<>();
      boolean allUp = true;
      boolean criticalUp = true;
      for (int i = 0; i < checks.size(); i++) {
        Map<String, Object> r = results.get(i).result();
        detail.put(checks.get(i).name(), r);
        boolean up = "UP".equals(r.get("status"));
        allUp &= up;
        criticalUp &= up || !checks.get(i).critical();
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", allUp ? "UP" : criticalUp ? "DEGRADED" : "DOWN");
      body.put("state", state.name());
      body.put("timestamp", Instant.now().toString());
      body.put("version", version);
      body.put("checks", detail);
      return Future.succeededFuture(new Report(body, criticalUp));
    });
  }

  private static Map<String, Object> down(Throwable e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "DOWN");
    m.put("error", e instanceof java.util.concurrent.TimeoutException
        ? "no answer within " + CHECK_TIMEOUT_MS + " ms" : String.valueOf(e.getMessage()));
    return m;
  }
}
