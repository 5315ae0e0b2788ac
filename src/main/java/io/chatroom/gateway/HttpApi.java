package io.chatroom.gateway;

import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.account.AccountService;
import io.chatroom.account.User;
import io.chatroom.gateway.protocol.ClientFrame;
import io.chatroom.gateway.protocol.HttpBodies;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.RoomInfo;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.gateway.protocol.UserInfo;
import io.chatroom.room.Room;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API and the {@code /ws} upgrade. Handlers translate; the services decide. */
final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  /** Request bodies are small JSON objects; anything bigger is a mistake or an attack. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  private static final String USER_KEY = "chatroom.user";
  static final String VERSION = versionOf();

  private final Services services;

  HttpApi(Services services) {
    this.services = services;
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.post("/api/auth/register").handler(ctx -> {
      HttpBodies.Credentials c = body(ctx, HttpBodies.Credentials.class);
      reply(ctx, 201, services.accounts().register(c.username(), c.password()).map(HttpApi::authBody));
    });
    router.post("/api/auth/login").handler(ctx -> {
      HttpBodies.Credentials c = body(ctx, HttpBodies.Credentials.class);
      reply(ctx, 200, services.accounts().login(c.username(), c.password()).map(HttpApi::authBody));
    });

    router.route("/api/rooms*").handler(this::authenticate);
    router.route("/api/dm").handler(this::authenticate);
    router.get("/api/rooms").handler(ctx -> reply(ctx, 200, services.rooms().list(user(ctx))
        .map(rooms -> new HttpBodies.RoomsResponse(rooms.stream().map(RoomInfo::of).toList()))));
    router.post("/api/rooms").handler(ctx -> {
      HttpBodies.CreateRoom body = body(ctx, HttpBodies.CreateRoom.class);
      reply(ctx, 201, services.rooms()
          .create(user(ctx), body.name(), body.topic(), Boolean.TRUE.equals(body.isPrivate()))
          .map(HttpApi::roomBody));
    });
    router.post("/api/rooms/:name/members").handler(ctx -> {
      HttpBodies.UsernameRequest body = body(ctx, HttpBodies.UsernameRequest.class);
      reply(ctx, 200, withUser(body, other -> services.rooms().addMember(user(ctx), ctx.pathParam("name"), other))
          .map(HttpApi::roomBody));
    });
    router.post("/api/dm").handler(ctx -> {
      HttpBodies.UsernameRequest body = body(ctx, HttpBodies.UsernameRequest.class);
      reply(ctx, 200, withUser(body, other -> services.rooms().direct(user(ctx), other)).map(HttpApi::roomBody));
    });
    router.get("/api/rooms/:name/messages").handler(ctx -> {
      Long before = longParam(ctx, "before");
      Long after = longParam(ctx, "after");
      Long limit = longParam(ctx, "limit");
      Integer pageLimit = limit == null ? null : (int) Math.min(limit, Integer.MAX_VALUE);
      ClientFrame.checkPage(before, after, pageLimit);
      reply(ctx, 200, services.rooms().readable(user(ctx), ctx.pathParam("name"))
          .compose(room -> services.history().page(room.id(), room.name(), before, after, pageLimit))
          .map(messages -> new HttpBodies.MessagesResponse(ServerFrame.MessageEvent.of(messages))));
    });

    router.get("/health").handler(this::health);
    router.get("/ws").handler(this::upgrade);
    router.route().last().handler(ctx -> ctx.fail(new ChatException(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.request().path())));
    router.route().failureHandler(this::failure);
    return router;
  }

  private void health(RoutingContext ctx) {
    services.database().ping().onComplete(ar -> {
      boolean up = ar.succeeded();
      Map<String, Object> database = new LinkedHashMap<>();
      database.put("status", up ? "UP" : "DOWN");
      if (!up) {
        database.put("error", String.valueOf(ar.cause().getMessage()));
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", up ? "UP" : "DOWN");
      body.put("timestamp", Instant.now().toString());
      body.put("version", VERSION);
      body.put("checks", Map.of("database", database));
      json(ctx, up ? 200 : 503, body);
    });
  }

  private void upgrade(RoutingContext ctx) {
    String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.fail(new ChatException(ErrorCode.INVALID_REQUEST, "/ws speaks WebSocket only: connect with a WebSocket client"));
      return;
    }
    Context context = Vertx.currentContext();
    ctx.request().toWebSocket()
        .onSuccess(ws -> new Connection(ws, services, context).start())
        .onFailure(e -> log.debug("websocket handshake failed: {}", e.toString()));
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    ctx.put(USER_KEY, services.accounts().authenticate(token));
    ctx.next();
  }

  private static User user(RoutingContext ctx) {
    return ctx.get(USER_KEY);
  }

  private Future<Room> withUser(HttpBodies.UsernameRequest body, Function<User, Future<Room>> action) {
    if (body.username() == null) {
      return Future.failedFuture(new ChatException(ErrorCode.INVALID_REQUEST, "'username' is required"));
    }
    return services.accounts().findByUsername(body.username()).compose(action::apply);
  }

  private static HttpBodies.AuthResponse authBody(AccountService.Session session) {
    return new HttpBodies.AuthResponse(UserInfo.of(session.user()), session.token());
  }

  private static HttpBodies.RoomResponse roomBody(Room room) {
    return new HttpBodies.RoomResponse(RoomInfo.of(room));
  }

  private static <T> T body(RoutingContext ctx, Class<T> type) {
    return Protocol.readBody(ctx.body().asString(), type);
  }

  private static Long longParam(RoutingContext ctx, String name) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be an integer");
    }
  }

  private static void reply(RoutingContext ctx, int status, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, status, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(io.vertx.core.buffer.Buffer.buffer(Protocol.encode(body)));
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    ChatException error;
    if (t instanceof ChatException e) {
      error = e;
    } else if (ctx.statusCode() == 413) {
      error = new ChatException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is over " + MAX_BODY_BYTES / 1024 + " KiB");
    } else if (ctx.statusCode() == 404) {
      error = new ChatException(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.request().path());
    } else if (ctx.statusCode() == 405) {
      error = new ChatException(ErrorCode.METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed on " + ctx.request().path());
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = new ChatException(ErrorCode.INVALID_REQUEST, "bad request");
    } else {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
      error = new ChatException(ErrorCode.INTERNAL, "internal error");
    }
    if (ctx.response().ended()) {
      return;
    }
    json(ctx, error.code().httpStatus(), new HttpBodies.ErrorResponse(new HttpBodies.ErrorBody(error.code().wire(), error.getMessage())));
  }

  private static String versionOf() {
    String v = HttpApi.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
