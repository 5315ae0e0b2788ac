package io.chatroom.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.audit.AuditLog;
import io.chatroom.broker.RoomEvent;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.monitor.AlertEvent;
import io.chatroom.monitor.Monitor;
import io.chatroom.monitor.Sample;
import io.chatroom.room.RoomService;
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
 * The operator's HTTP surface: the built-in monitor and alerts, room deletion and the audit log (admins
 * only), and the receiver that turns Alertmanager's webhook into messages in the ops room. Every change made
 * here is audited under the admin's username and the client's address.
 */
final class AdminApi {
  static final int MAX_HOURS = 24;
  static final int ALERT_HISTORY = 100;
  static final int HOT_QUESTIONS_DEFAULT = 20;
  static final int HOT_QUESTIONS_MAX = 100;

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
    http.route(router, HttpMethod.DELETE, "/api/admin/rooms/:name", http::authenticate, this::requireAdmin, this::deleteRoom);
    http.route(router, HttpMethod.GET, "/api/admin/audit", http::authenticate, this::requireAdmin, this::audit);
    http.route(router, HttpMethod.GET, "/api/admin/ai/hot", http::authenticate, this::requireAdmin, this::hotQuestions);
    http.route(router, HttpMethod.POST, "/api/alerts/webhook", this::alertmanager);
  }

  /** The questions most often put to the assistant: {@code limit} of them (default 20, at most 100). */
  private void hotQuestions(RoutingContext ctx) {
    Long limit = HttpApi.longParam(ctx, "limit");
    if (limit != null && limit < 1) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "'limit' must be at least 1");
    }
    int n = limit == null ? HOT_QUESTIONS_DEFAULT : (int) Math.min(limit, HOT_QUESTIONS_MAX);
    HttpApi.reply(ctx, 200, services.hotQuestions().top(n).map(top -> Map.of("questions", top)));
  }

  /**
   * Deletes a room with its memberships and messages, in one transaction with its audit row; then this node
   * forgets it (and tells the others through the shared cache), and every node's sessions in the room are
   * told {@code room_deleted} and let go of it.
   */
  private void deleteRoom(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    AuditLog.Actor actor = new AuditLog.Actor(HttpApi.user(ctx).username(), ctx.request().remoteAddress().hostAddress());
    HttpApi.reply(ctx, 200, services.database().transaction(c -> {
          RoomService.Deleted deleted = RoomService.delete(c, name)
              .orElseThrow(() -> new ChatException(ErrorCode.ROOM_NOT_FOUND, "no room named '" + name + "'"));
          AuditLog.append(c, actor, AuditLog.Action.ROOM_DELETE, name, deleted.summary());
          return deleted;
        })
        .compose(deleted -> services.rooms().forget(deleted).map(deleted))
        .map(deleted -> {
          services.broker().publish(RoomEvent.deleted(name, Protocol.encode(new ServerFrame.RoomDeleted(name))));
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("deleted", name);
          body.putAll(deleted.summary());
          return body;
        }));
  }

  /** The audit log, newest first: {@code limit} rows (default 50, at most 500) with ids below {@code before}. */
  private void audit(RoutingContext ctx) {
    Long limit = HttpApi.longParam(ctx, "limit");
    Long before = HttpApi.longParam(ctx, "before");
    if (limit != null && limit < 1) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "'limit' must be at least 1");
    }
    int page = limit == null ? AuditLog.DEFAULT_PAGE : (int) Math.min(limit, AuditLog.MAX_PAGE);
    HttpApi.reply(ctx, 200, services.database().read(c -> AuditLog.page(c, before, page))
        .map(events -> Map.of("events", events)));
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
