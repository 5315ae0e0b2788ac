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
import io.chatroom.observability.Health;
import io.chatroom.observability.LogContext;
import io.chatroom.observability.Tracing;
import io.chatroom.room.Room;
import io.netty.channel.Channel;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and the {@code /ws} upgrade. Handlers translate; the services decide. Every request is
 * measured under its route template, traced, and written to the access log.
 */
final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final Logger access = LoggerFactory.getLogger("chatroom.access");
  /** Request bodies are small JSON objects; anything bigger is a mistake or an attack. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  private static final String USER_KEY = "chatroom.user";
  private static final String ROUTE_KEY = "chatroom.route";
  private static final String SPAN_KEY = "chatroom.span";
  private static final String REQUEST_ID_KEY = "chatroom.request_id";
  private static final String RECORDED_KEY = "chatroom.recorded";
  /** A caller's X-Request-Id is kept only when it looks like one; otherwise we mint our own. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /**
   * The web client is all same-origin files: no inline script or style, no third party, no framing. A
   * message that slipped past the client's text rendering still could not run script.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private final Services services;
  private final BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);

  HttpApi(Services services) {
    this.services = services;
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::observe);
    // the body is read before anything asynchronous (the rate limit may ask Redis): a request's body
    // arrives only once, and a handler that waits first would miss it
    router.route("/api/*").handler(bodies);
    router.route("/api/*").handler(this::limitRate);
    Handler<RoutingContext> auth = this::authenticate;

    route(router, HttpMethod.POST, "/api/auth/register", ctx -> {
      HttpBodies.Credentials c = body(ctx, HttpBodies.Credentials.class);
      reply(ctx, 201, services.accounts().register(c.username(), c.password()).map(HttpApi::authBody));
    });
    route(router, HttpMethod.POST, "/api/auth/login", ctx -> {
      HttpBodies.Credentials c = body(ctx, HttpBodies.Credentials.class);
      reply(ctx, 200, services.accounts().login(c.username(), c.password()).map(HttpApi::authBody));
    });
    route(router, HttpMethod.GET, "/api/rooms", auth, ctx -> reply(ctx, 200, services.rooms().list(user(ctx))
        .map(rooms -> new HttpBodies.RoomsResponse(rooms.stream().map(RoomInfo::of).toList()))));
    route(router, HttpMethod.POST, "/api/rooms", auth, ctx -> {
      HttpBodies.CreateRoom body = body(ctx, HttpBodies.CreateRoom.class);
      reply(ctx, 201, services.rooms()
          .create(user(ctx), body.name(), body.topic(), Boolean.TRUE.equals(body.isPrivate()))
          .map(HttpApi::roomBody));
    });
    route(router, HttpMethod.POST, "/api/rooms/:name/members", auth, ctx -> {
      HttpBodies.UsernameRequest body = body(ctx, HttpBodies.UsernameRequest.class);
      reply(ctx, 200, withUser(body, other -> services.rooms().addMember(user(ctx), ctx.pathParam("name"), other))
          .map(HttpApi::roomBody));
    });
    route(router, HttpMethod.POST, "/api/dm", auth, ctx -> {
      HttpBodies.UsernameRequest body = body(ctx, HttpBodies.UsernameRequest.class);
      reply(ctx, 200, withUser(body, other -> services.rooms().direct(user(ctx), other)
          .map(room -> new HttpBodies.RoomResponse(RoomInfo.direct(room, other.username())))));
    });
    route(router, HttpMethod.GET, "/api/rooms/:name/messages", auth, ctx -> {
      Long before = longParam(ctx, "before");
      Long after = longParam(ctx, "after");
      Long limit = longParam(ctx, "limit");
      Integer pageLimit = limit == null ? null : (int) Math.min(limit, Integer.MAX_VALUE);
      ClientFrame.checkPage(before, after, pageLimit);
      Integer allowed = services.shedder().historyLimit(pageLimit);
      reply(ctx, 200, services.rooms().readable(user(ctx), ctx.pathParam("name"))
          .compose(room -> services.history().page(room.id(), room.name(), before, after, allowed))
          .map(messages -> new HttpBodies.MessagesResponse(ServerFrame.MessageEvent.of(messages))));
    });

    new AdminApi(services, this).mount(router);

    route(router, HttpMethod.GET, "/health", this::health);
    route(router, HttpMethod.GET, "/health/ready", this::ready);
    route(router, HttpMethod.GET, "/metrics", this::metrics);
    route(router, HttpMethod.GET, "/ws", this::upgrade);
    router.route("/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      if (services.web().has(ctx.request().path())) {
        ctx.put(ROUTE_KEY, "static");
        services.web().serve(ctx);
      } else {
        ctx.next();
      }
    });
    router.route().last().handler(ctx -> ctx.fail(new ChatException(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.request().path())));
    router.route().failureHandler(this::failure);
    return router;
  }

  /** Registers {@code chain} for {@code method path}, labelling the request with the path template first. */
  @SafeVarargs
  final void route(Router router, HttpMethod method, String template, Handler<RoutingContext>... chain) {
    Route route = router.route(method, template).handler(ctx -> {
      ctx.put(ROUTE_KEY, template);
      ctx.next();
    });
    for (Handler<RoutingContext> h : chain) {
      route.handler(h);
    }
  }

  /** Starts the request's span and, when the response ends, records its metrics and access-log line. */
  private void observe(RoutingContext ctx) {
    long start = System.nanoTime();
    String given = ctx.request().getHeader("X-Request-Id");
    String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.response().putHeader("X-Request-Id", requestId)
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    Span span = services.tracer().spanBuilder("HTTP " + ctx.request().method().name())
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", ctx.request().method().name())
        .startSpan();
    ctx.put(SPAN_KEY, span);
    ctx.put(REQUEST_ID_KEY, requestId);
    ctx.addEndHandler(ar -> record(ctx, ctx.response().getStatusCode(), start));
    ctx.next();
  }

  private void record(RoutingContext ctx, int status, long startNanos) {
    if (ctx.get(RECORDED_KEY) != null) {
      return;
    }
    ctx.put(RECORDED_KEY, true);
    long nanos = System.nanoTime() - startNanos;
    String method = ctx.request().method().name();
    String route = ctx.get(ROUTE_KEY) == null ? "unmatched" : ctx.get(ROUTE_KEY);
    services.metrics().httpRequest(method, route, status, nanos);
    Span span = ctx.get(SPAN_KEY);
    span.updateName(method + " " + route);
    span.setAttribute("http.route", route);
    span.setAttribute("http.response.status_code", status);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
    User user = ctx.get(USER_KEY);
    try (LogContext ignored = LogContext.of(LogContext.REQUEST_ID, ctx.get(REQUEST_ID_KEY),
        LogContext.USER_ID, user == null ? null : Long.toString(user.id()), LogContext.TRACE_ID, Tracing.traceId(span))) {
      boolean probe = route.startsWith("/health") || route.equals("/metrics");
      if (probe ? access.isDebugEnabled() : access.isInfoEnabled()) {
        String line = "{} {} {} {}ms";
        Object[] args = {StructuredArguments.v("method", method), StructuredArguments.v("route", route),
            StructuredArguments.v("status", status), StructuredArguments.v("duration_ms", Math.round(nanos / 10_000.0) / 100.0)};
        if (probe) {
          access.debug(line, args);
        } else {
          access.info(line, args);
        }
      }
    }
  }

  /**
   * The API budget of whoever asks: a signed-in user by id (the same budget on every node with Redis), anyone
   * else by address. Over it: 429 {@code rate_limited} with Retry-After.
   */
  private void limitRate(RoutingContext ctx) {
    // a well-signed token keys the budget even if its user is disabled: authenticate() refuses them later
    User claimed = services.accounts().claimedUser(bearer(ctx));
    String key = claimed != null ? "user:" + claimed.id() : "addr:" + ctx.request().remoteAddress().hostAddress();
    services.apiLimits().acquire(key).onComplete(ar -> {
      if (ar.failed() || ar.result().allowed()) {
        ctx.next();
        return;
      }
      services.metrics().rateLimited();
      long retryMs = ar.result().retryAfterMs();
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (retryMs + 999) / 1000)));
      ctx.fail(new ChatException(ErrorCode.RATE_LIMITED, "too many requests; retry in " + retryMs + " ms"));
    });
  }

  /** Liveness with details: 200 whenever the process answers; the body says what is up and what is not. */
  private void health(RoutingContext ctx) {
    services.health().run().onSuccess(report -> json(ctx, 200, report.body())).onFailure(ctx::fail);
  }

  /** Readiness: 200 only when started, not draining, and the database answers. */
  private void ready(RoutingContext ctx) {
    services.health().run().onSuccess(report -> {
      boolean ready = services.health().state() == Health.State.READY && report.criticalUp();
      java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(report.body());
      body.put("status", ready ? "READY" : "NOT_READY");
      json(ctx, ready ? 200 : 503, body);
    }).onFailure(ctx::fail);
  }

  private void metrics(RoutingContext ctx) {
    // building the exposition walks every meter: CPU work kept off the event loop
    ctx.vertx().executeBlocking(() -> services.metrics().scrape(), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(ar.result());
    });
  }

  private void upgrade(RoutingContext ctx) {
    String upgrade = ctx.request().getHeader(HttpHeaders.UPGRADE);
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.fail(new ChatException(ErrorCode.INVALID_REQUEST, "/ws speaks WebSocket only: connect with a WebSocket client"));
      return;
    }
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !originAllowed(origin, ctx.request().getHeader(HttpHeaders.HOST))) {
      // a page on another site must not ride on a user's browser to open a chat session (CSWSH)
      ctx.fail(new ChatException(ErrorCode.FORBIDDEN, "origin " + origin + " may not open a WebSocket here; see CHATROOM_ALLOWED_ORIGINS"));
      return;
    }
    if (services.health().state() != Health.State.READY) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      ctx.fail(new ChatException(ErrorCode.UNAVAILABLE, "this node is restarting; connect to another node or retry shortly"));
      return;
    }
    if (!services.shedder().admitConnection()) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(services.shedder().retryAfterSeconds()));
      ctx.fail(new ChatException(ErrorCode.OVERLOADED, "this node is overloaded; retry after the Retry-After delay or use another node"));
      return;
    }
    long start = System.nanoTime();
    // the event loop's own context, not the request's duplicate: that one carries request-scoped local data,
    // and a socket outlives its upgrade request by hours
    ContextInternal context = ((ContextInternal) Vertx.currentContext()).unwrap();
    Channel channel = ((ConnectionBase) ctx.request().connection()).channel();
    ctx.request().toWebSocket()
        .onSuccess(ws -> {
          // the HTTP part ends at the handshake; the socket's life is measured by the WebSocket meters
          record(ctx, 101, start);
          ChatSocket socket = ChatSocket.takeOver(channel, context, Gateway.MAX_FRAME_BYTES, Gateway.SEND_QUEUE_BYTES);
          // started in place (no frame may slip by before it listens), but on the loop's context, so the
          // timers and futures it starts do not hold on to the request's duplicate either
          context.dispatch(v -> new Connection(socket, services, context).start());
        })
        .onFailure(e -> log.debug("websocket handshake failed: {}", e.toString()));
  }

  /**
   * Browsers always send Origin; other clients usually do not, and are not at risk. Allowed: the origins in
   * CHATROOM_ALLOWED_ORIGINS, or when that is empty, a page served by this very host.
   */
  private boolean originAllowed(String origin, String host) {
    String normalized = origin.toLowerCase(java.util.Locale.ROOT);
    java.util.Set<String> allowed = services.config().allowedOrigins();
    if (!allowed.isEmpty()) {
      return allowed.contains(normalized);
    }
    if (host == null) {
      return false;
    }
    try {
      java.net.URI uri = java.net.URI.create(normalized);
      int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      String h = host.toLowerCase(java.util.Locale.ROOT);
      String hostOnly = h.contains(":") && !h.endsWith("]") ? h.substring(0, h.lastIndexOf(':')) : h;
      int hostPort = h.contains(":") && !h.endsWith("]") ? Integer.parseInt(h.substring(h.lastIndexOf(':') + 1)) : port;
      return hostOnly.equals(uri.getHost()) && hostPort == port;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Requires a valid bearer token whose user is enabled and was not signed out since it was issued. */
  void authenticate(RoutingContext ctx) {
    services.accounts().authenticate(bearer(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.put(USER_KEY, ar.result().user());
        ctx.next();
      }
    });
  }

  static User user(RoutingContext ctx) {
    return ctx.get(USER_KEY);
  }

  /** The bearer token of the request, or null. */
  static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
  }

  private <T> Future<T> withUser(HttpBodies.UsernameRequest body, Function<User, Future<T>> action) {
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

  static <T> T body(RoutingContext ctx, Class<T> type) {
    return Protocol.readBody(ctx.body().asString(), type);
  }

  static Long longParam(RoutingContext ctx, String name) {
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

  static void reply(RoutingContext ctx, int status, Future<?> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, status, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(Buffer.buffer(Protocol.encode(body)));
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
      services.metrics().exception(t == null ? new IllegalStateException("status " + ctx.statusCode()) : t);
      Span span = ctx.get(SPAN_KEY);
      if (span != null && t != null) {
        span.recordException(t);
      }
      try (LogContext ignored = LogContext.of(LogContext.REQUEST_ID, ctx.get(REQUEST_ID_KEY),
          LogContext.TRACE_ID, Tracing.traceId(span))) {
        log.error("{} {} failed", ctx.request().method(), ctx.get(ROUTE_KEY) == null ? "unmatched" : ctx.get(ROUTE_KEY), t);
      }
      error = new ChatException(ErrorCode.INTERNAL, "internal error");
    }
    if (ctx.response().ended()) {
      return;
    }
    json(ctx, error.code().httpStatus(), new HttpBodies.ErrorResponse(new HttpBodies.ErrorBody(error.code().wire(), error.getMessage())));
  }
}
