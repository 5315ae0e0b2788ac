package io.chatroom.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.monitor.AlertEvent;
import io.chatroom.monitor.Monitor;
import io.chatroom.monitor.Sample;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's HTTP surface: the built-in monitor and alerts (admins only), and the receiver that turns
 * Alertmanager's webhook into messages in the ops room.
 */
final class AdminApi {
  static final int MAX_HOURS = 24;
  static final int ALERT_HISTORY = 100;

  private final Services services;
  private final HttpApi http;

  AdminApi(Services services, HttpApi http) {
    this.services = services;
    this.http = http;
  }

  void mount(Router router) {
    Monitor monitor = services.monitor();
    http.route(router, HttpMethod.GET, "/api/admin/monitor/current", http::authenticate, this::requireAdmin,
        ctx -> HttpApi.reply(ctx, 200, monitor.current().map(sample -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("node", monitor.node());
          body.put("load_shedding", services.shedder().active());
          body.put("sample", sample.toJson());
          return body;
        })));
    http.route(router, HttpMethod.GET, "/api/admin/monitor/history", http::authenticate, this::requireAdmin, ctx -> {
      int hours = hours(ctx);
      List<Sample> samples = monitor.history(hours);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("node", monitor.node());
      body.put("hours", hours);
      body.put("samples", Monitor.toJson(samples));
      HttpApi.json(ctx, 200, body);
    });
    http.route(router, HttpMethod.GET, "/api/admin/monitor/summary", http::authenticate, this::requireAdmin,
        ctx -> HttpApi.json(ctx, 200, monitor.summary(hours(ctx))));
    http.route(router, HttpMethod.GET, "/api/admin/alerts", http::authenticate, this::requireAdmin,
        ctx -> HttpApi.reply(ctx, 200, monitor.alertHistory(ALERT_HISTORY).map(history -> {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("node", monitor.node());
          body.put("rules", monitor.alerts().rules().stream().map(r -> Map.of(
              "name", r.name(), "severity", r.severity().label(), "condition", r.condition(),
              "for", r.forDuration().toString(), "cooldown", r.cooldown().toString())).toList());
          body.put("active", monitor.alerts().active());
          body.put("history", history.stream().map(AlertEvent::toJson).toList());
          return body;
        })));
    http.route(router, HttpMethod.POST, "/api/alerts/webhook", this::alertmanager);
  }

  private void requireAdmin(RoutingContext ctx) {
    services.accounts().isAdmin(HttpApi.user(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (!ar.result()) {
        ctx.fail(new ChatException(ErrorCode.FORBIDDEN, "admins only: ask an admin to run 'chatroom user promote <name>'"));
      } else {
        ctx.next();
      }
    });
  }

  private static int hours(RoutingContext ctx) {
    Long hours = HttpApi.longParam(ctx, "hours");
    if (hours == null) {
      return 1;
    }
    if (hours < 1 || hours > MAX_HOURS) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "'hours' must be 1-" + MAX_HOURS);
    }
    return hours.intValue();
  }

  /**
   * Alertmanager's webhook (version 4 payload): each alert becomes one message in the ops room. The key of
   * each post is derived from the alert's fingerprint, state and time, so Alertmanager's retries of the
   * same notification do not post twice.
   */
  private void alertmanager(RoutingContext ctx) {
    String expected = services.config().observability().alertsWebhookToken();
    if (expected == null) {
      throw new ChatException(ErrorCode.NOT_FOUND, "the Alertmanager receiver is off: set ALERTS_WEBHOOK_TOKEN to turn it on");
    }
    String given = HttpApi.bearer(ctx);
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      throw new ChatException(ErrorCode.UNAUTHORIZED, "missing or wrong bearer token (ALERTS_WEBHOOK_TOKEN)");
    }
    JsonNode payload = Protocol.readBody(ctx.body().asString(), JsonNode.class);
    JsonNode alerts = payload.path("alerts");
    if (!alerts.isArray()) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "an Alertmanager payload has an 'alerts' array");
    }
    List<Future<Void>> posts = new ArrayList<>();
    for (JsonNode alert : alerts) {
      posts.add(services.opsRoom().post(alertText(alert), alertKey(alert)));
    }
    HttpApi.reply(ctx, 200, Future.all(posts).map(done -> Map.of("posted", posts.size())));
  }

  static String alertText(JsonNode alert) {
    String status = alert.path("status").asText("firing");
    JsonNode labels = alert.path("labels");
    JsonNode annotations = alert.path("annotations");
    StringBuilder text = new StringBuilder()
        .append('[').append(status.toUpperCase(java.util.Locale.ROOT))
        .append(' ').append(labels.path("severity").asText("unknown")).append("] ")
        .append(labels.path("alertname").asText("alert"));
    if (labels.hasNonNull("instance")) {
      text.append(" on ").append(labels.path("instance").asText());
    }
    String summary = annotations.path("summary").asText(annotations.path("description").asText(""));
    if (!summary.isEmpty()) {
      text.append(": ").append(summary);
    }
    text.append(" (Alertmanager)");
    return text.toString();
  }

  static String alertKey(JsonNode alert) {
    String status = alert.path("status").asText("firing");
    String identity = alert.path("fingerprint").asText(alert.path("labels").toString());
    String at = status.equals("resolved") ? alert.path("endsAt").asText("") : alert.path("startsAt").asText("");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest((identity + "|" + status + "|" + at).getBytes(StandardCharsets.UTF_8));
      return "am-" + HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
