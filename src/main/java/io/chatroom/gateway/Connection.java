package io.chatroom.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatroom.ChatException;
import io.chatroom.ErrorCode;
import io.chatroom.account.TokenService;
import io.chatroom.account.User;
import io.chatroom.broker.Broker;
import io.chatroom.broker.RoomEvent;
import io.chatroom.presence.PresenceStore;
import io.chatroom.gateway.protocol.ClientFrame;
import io.chatroom.gateway.protocol.CloseCode;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.gateway.protocol.UserInfo;
import io.chatroom.limits.Rate;
import io.chatroom.limits.TokenBucket;
import io.chatroom.message.Draft;
import io.chatroom.message.Message;
import io.chatroom.observability.DisconnectReason;
import io.chatroom.observability.LogContext;
import io.chatroom.observability.Tracing;
import io.chatroom.room.RoomRef;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket session. Confined to the event loop the socket arrived on: every field is touched
 * only there, and every async result is handled back there, so nothing here needs a lock.
 *
 * <p>Each joined room is a {@link RoomFeed}, which makes its delivery exactly once and in order; the connection
 * is the feeds' {@link RoomFeed.Client}: it writes their frames and ends the session when one cannot go on.
 */
final class Connection implements ChatSocket.Listener, RoomFeed.Client {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** A client still sending after this many refusals in a row is not backing off: it is abusing. */
  static final int MAX_REFUSED_IN_A_ROW = 100;
  static final long HELLO_TIMEOUT_MS = 10_000;
  /**
   * Frames a client may send after its hello and before the welcome (while the token is checked); they are
   * handled after the welcome. Clients that wait for the welcome send none; this bounds those that do not.
   */
  static final int MAX_FRAMES_BEFORE_WELCOME = 64;

  private final ChatSocket socket;
  private final Services services;
  private final Context context;
  private final String sessionId = UUID.randomUUID().toString();
  private final TokenBucket rate;
  private final Map<String, RoomFeed> rooms = new HashMap<>();
  private User user;
  /** The token this session was opened with, checked again while it lives; null until the welcome. */
  private TokenService.Verified token;
  /** Frames that arrived while the hello was being checked; null when no check is under way. */
  private ArrayDeque<ClientFrame> early;
  private boolean closed;
  private int refusedInARow;
  private long lastHeardNanos = System.nanoTime();
  private boolean pingOutstanding;
  private long pingSentNanos;
  /** The hello timeout, until the welcome. */
  private long helloTimer = -1;
  /** Why this connection ends; a close the server did not initiate is the client's. */
  private DisconnectReason closeReason = DisconnectReason.CLIENT;

  Connection(ChatSocket socket, Services services, Context context) {
    this.socket = socket;
    this.services = services;
    this.context = context;
    Rate budget = services.wsRate().get();
    this.rate = new TokenBucket(budget.perSecond(), budget.burst(), System.nanoTime());
    services.metrics().connectionOpened();
  }

  void start() {
    services.connections().add(this);
    socket.listen(this);
    helloTimer = context.owner().setTimer(HELLO_TIMEOUT_MS, id -> {
      if (user == null && !closed) {
        refuse("no hello within " + HELLO_TIMEOUT_MS / 1000 + " s");
      }
    });
  }

  @Override
  public void onBinary() {
    onText(null);
  }

  @Override
  public void onHeard() {
    heard();
  }

  @Override
  public void onText(String text) {
    if (closed) {
      return;
    }
    heard();
    services.metrics().frameReceived();
    // parsed before the rate check so a refusal can name the request it refuses (frames are at most 64 KiB)
    ClientFrame frame = null;
    Protocol.BadFrame bad = null;
    if (text != null) {
      try {
        frame = Protocol.parseClientFrame(text);
      } catch (Protocol.BadFrame e) {
        bad = e;
      }
    }
    JsonNode id = frame != null ? frame.id() : bad != null ? bad.id() : null;
    long now = System.nanoTime();
    if (!rate.tryTake(now, services.shedder().frameCost())) {
      services.metrics().rateLimited();
      if (++refusedInARow > MAX_REFUSED_IN_A_ROW) {
        send(new ServerFrame.ErrorFrame(id, ErrorCode.RATE_LIMITED.wire(), "too many frames; closing", null));
        close(CloseCode.POLICY_VIOLATION, DisconnectReason.POLICY, "rate limit abuse");
      } else {
        send(new ServerFrame.ErrorFrame(id, ErrorCode.RATE_LIMITED.wire(), "slow down", rate.millisUntilNext(now)));
      }
      return;
    }
    refusedInARow = 0;
    if (text == null) {
      send(new ServerFrame.ErrorFrame(null, ErrorCode.INVALID_REQUEST.wire(), "binary frames are not supported; send JSON text", null));
      return;
    }
    if (bad != null) {
      if (user == null) {
        refuse(bad.error().getMessage());
      } else {
        fail(bad.id(), bad.error());
      }
      return;
    }
    if (user == null) {
      if (early == null) {
        hello(frame);
      } else if (early.size() < MAX_FRAMES_BEFORE_WELCOME) {
        early.add(frame);
      } else {
        refuse("too many frames before the welcome; wait for it");
      }
      return;
    }
    handle(frame);
  }

  private void handle(ClientFrame frame) {
    try {
      dispatch(frame);
    } catch (ChatException e) {
      fail(frame.id(), e);
    }
  }

  private void dispatch(ClientFrame frame) {
    if (frame instanceof ClientFrame.Send f) {
      send(f);
    } else if (frame instanceof ClientFrame.Join f) {
      join(f);
    } else if (frame instanceof ClientFrame.Typing f) {
      typing(f);
    } else if (frame instanceof ClientFrame.History f) {
      history(f);
    } else if (frame instanceof ClientFrame.Leave f) {
      leave(f);
    } else if (frame instanceof ClientFrame.Ping f) {
      send(new ServerFrame.Ok(f.id()));
    } else if (frame instanceof ClientFrame.Hello) {
      throw new ChatException(ErrorCode.INVALID_REQUEST, "already authenticated");
    }
  }

  private void hello(ClientFrame frame) {
    if (!(frame instanceof ClientFrame.Hello hello)) {
      refuse("the first frame must be hello");
      return;
    }
    early = new ArrayDeque<>();
    services.accounts().authenticate(hello.token()).onComplete(ar -> {
      ArrayDeque<ClientFrame> waiting = early;
      early = null;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        if (ar.cause() instanceof ChatException e && e.code() == ErrorCode.UNAUTHORIZED) {
          refuse(e.getMessage());
        } else {
          // the database could not say whether the token still counts: not the client's fault
          send(new ServerFrame.ErrorFrame(null, ErrorCode.UNAVAILABLE.wire(), "cannot check the session right now; reconnect shortly", null));
          close(CloseCode.TRY_AGAIN_LATER, DisconnectReason.SERVER_ERROR, "cannot check the session; reconnect shortly");
        }
        return;
      }
      token = ar.result();
      user = token.user();
      context.owner().cancelTimer(helloTimer);
      services.metrics().userConnected(user.id());
      services.connections().signedIn(this, user.id());
      services.connections().watch(this, services.config().pingIntervalMs());
      send(new ServerFrame.Welcome(UserInfo.of(user), sessionId));
      for (ClientFrame f : waiting) {
        if (!closed) {
          handle(f);
        }
      }
    });
  }

  /**
   * Ends the session with {@code unauthorized} and close 1008 when its user has been disabled or signed out
   * since the token was issued. A status the database cannot give now keeps the session: a database blip must
   * not disconnect everyone. Call on this connection's context.
   */
  void recheckSession() {
    if (closed || token == null) {
      return;
    }
    services.accounts().checkSession(token).onFailure(e -> {
      if (!closed && e instanceof ChatException refused && refused.code() == ErrorCode.UNAUTHORIZED) {
        send(new ServerFrame.ErrorFrame(null, ErrorCode.UNAUTHORIZED.wire(), refused.getMessage(), null));
        close(CloseCode.POLICY_VIOLATION, DisconnectReason.POLICY, "unauthorized");
      }
    });
  }

  private void join(ClientFrame.Join f) {
    RoomFeed existing = rooms.get(f.room());
    if (existing != null) {
      if (!existing.isJoined()) {
        throw new ChatException(ErrorCode.INVALID_REQUEST, "already joining '" + f.room() + "'");
      }
      // already live in this room: nothing to replay, the client has everything up to delivered
      onlineIn(f.room()).onSuccess(members -> send(ServerFrame.JoinOk.of(f.id(), f.room(), existing.delivered(), members, null)));
      return;
    }
    RoomFeed feed = new RoomFeed(f.room(), user.username(), this, services.history()::after);
    rooms.put(f.room(), feed);
    services.rooms().join(user, f.room())
        .compose(room -> {
          if (!feed.isCurrent()) {
            return Future.failedFuture(new ChatException(ErrorCode.NOT_MEMBER, "left '" + f.room() + "' while joining"));
          }
          feed.room = room;
          // subscribe before reading the replay: whatever commits after the read arrives as an event
          feed.subscription = services.broker().subscribe(room.name(), new Broker.Subscriber() {
            @Override
            public void onEvent(RoomEvent event) {
              feed.onEvent(event);
            }

            @Override
            public void onResync() {
              feed.catchUp();
            }
          });
          return services.history().replay(room.id(), room.name(), f.since());
        })
        .compose(replay -> services.presence().join(f.room(), user.username(), sessionId)
            .recover(e -> {
              // Presence is not worth refusing a chat for: the shared store's next heartbeat writes the entry
              log.warn("presence unavailable while joining {}: {}", f.room(), e.toString());
              return Future.succeededFuture(false);
            })
            .compose(first -> {
              feed.inPresence = true;
              return onlineIn(f.room()).compose(members -> first && !ServerFrame.JoinOk.crowded(members.size())
                  ? announceArrival(feed).map(members)
                  : Future.succeededFuture(members));
            })
            .map(members -> {
              if (feed.isCurrent()) {
                for (Message m : replay.messages()) {
                  send(ServerFrame.MessageEvent.of(m));
                }
                send(ServerFrame.JoinOk.of(f.id(), f.room(), replay.delivered(), members, replay.hasMore() ? true : null));
                feed.goLive(replay.delivered());
              }
              return members;
            }))
        .onFailure(e -> {
          if (rooms.get(f.room()) == feed) {
            rooms.remove(f.room());
          }
          drop(feed);
          fail(f.id(), e);
        });
  }

  private void send(ClientFrame.Send f) {
    RoomFeed feed = rooms.get(f.room());
    if (feed == null || feed.room == null) {
      throw new ChatException(ErrorCode.NOT_MEMBER, "join '" + f.room() + "' before sending to it");
    }
    Draft draft = new Draft(feed.room.id(), feed.room.name(), user.id(), user.username(), f.text(), f.clientMsgId());
    // the message's trace: ws.send -> store.commit (writer thread) -> fanout
    Span span = services.tracer().spanBuilder("ws.send")
        .setSpanKind(SpanKind.SERVER)
        .setAttribute("chat.room", feed.room.name())
        .setAttribute("chat.session_id", sessionId)
        .startSpan();
    services.writer().append(draft, io.opentelemetry.context.Context.root().with(span)).onComplete(ar -> {
      if (ar.succeeded()) {
        Message m = ar.result().message();
        span.setAttribute("chat.seq", m.seq());
        send(new ServerFrame.SendOk(f.id(), m.seq(), m.ts(), ar.result().duplicate() ? true : null));
      } else {
        span.setStatus(StatusCode.ERROR);
        fail(f.id(), ar.cause(), span);
      }
      span.end();
    });
  }

  private void history(ClientFrame.History f) {
    RoomFeed feed = rooms.get(f.room());
    Future<RoomRef> room = feed != null && feed.room != null
        ? Future.succeededFuture(feed.room)
        : services.rooms().readable(user, f.room());
    Integer limit = services.shedder().historyLimit(f.limit());
    room.compose(r -> services.history().page(r.id(), r.name(), f.before(), f.after(), limit))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            send(new ServerFrame.HistoryOk(f.id(), ServerFrame.MessageEvent.of(ar.result())));
          } else {
            fail(f.id(), ar.cause());
          }
        });
  }

  private void leave(ClientFrame.Leave f) {
    RoomFeed feed = rooms.remove(f.room());
    if (feed != null) {
      drop(feed);
    }
    send(new ServerFrame.Ok(f.id()));
  }

  private void typing(ClientFrame.Typing f) {
    RoomFeed feed = rooms.get(f.room());
    if (feed == null || feed.room == null) {
      throw new ChatException(ErrorCode.NOT_MEMBER, "join '" + f.room() + "' before typing in it");
    }
    services.broker().publish(new RoomEvent(f.room(), 0, user.username(),
        Protocol.encode(new ServerFrame.Typing(f.room(), user.username()))));
  }

  @Override
  public void live(byte[] json) {
    writeLive(json);
  }

  @Override
  public void replayed(Message message) {
    send(ServerFrame.MessageEvent.of(message));
  }

  @Override
  public void deleted(RoomFeed feed, byte[] json) {
    rooms.remove(feed.name);
    drop(feed);
    writeLive(json);
  }

  @Override
  public void fillFailed(RoomFeed feed, Throwable cause) {
    try (LogContext ignored = logContext(feed.name, null)) {
      log.warn("could not fill a gap in room {}: {}", feed.name, cause.toString());
    }
    close(CloseCode.TRY_AGAIN_LATER, DisconnectReason.SERVER_ERROR, "temporarily unable to deliver; resume with since");
  }

  /**
   * Tells the room this user came online, once the store remembers it did, so their departure is announced
   * too. If the store cannot say so, the arrival stays unannounced, as in a crowded room: better a member
   * missing from the list until the next join than one shown online forever.
   */
  private Future<Void> announceArrival(RoomFeed feed) {
    String room = feed.name;
    return services.presence().announced(room, user.username())
        .onSuccess(v -> {
          if (feed.isCurrent()) { // one that left meanwhile could stay shown online for good
            publishPresence(room, ServerFrame.Presence.ONLINE);
          }
        })
        .recover(e -> {
          log.warn("presence unavailable while announcing {} in {}: {}", user.username(), room, e.toString());
          return Future.succeededFuture();
        });
  }

  private void publishPresence(String room, String presenceState) {
    services.broker().publish(new RoomEvent(room, 0, null,
        Protocol.encode(new ServerFrame.Presence(room, user.username(), presenceState))));
  }

  /** Unsubscribes and leaves presence for a room this connection left (or lost: it was deleted). */
  private void drop(RoomFeed feed) {
    drop(feed, 0);
  }

  /**
   * Unsubscribes at once; leaves presence after {@code presenceGraceMs}. A connection that merely dropped keeps
   * its user online for the grace period, so one who reconnects within it (a network blip, a laptop lid, a
   * move to another node) is neither announced offline nor online again: their new connection joins while the
   * old entry is still there, and removing the old entry afterwards leaves them online.
   */
  private void drop(RoomFeed feed, long presenceGraceMs) {
    feed.drop();
    if (feed.subscription != null) {
      feed.subscription.cancel();
      feed.subscription = null;
    }
    if (feed.inPresence) {
      feed.inPresence = false;
      String username = user.username();
      // locals only: the timer must not keep this closed connection (and its socket's buffers) reachable
      PresenceStore presence = services.presence();
      Broker broker = services.broker();
      String room = feed.name;
      String session = sessionId;
      Runnable leave = () -> presence.leave(room, username, session).onSuccess(departure -> {
        if (departure == PresenceStore.Departure.GONE) {
          broker.publish(new RoomEvent(room, 0, null,
              Protocol.encode(new ServerFrame.Presence(room, username, ServerFrame.Presence.OFFLINE))));
        }
      });
      if (presenceGraceMs > 0) {
        context.owner().setTimer(presenceGraceMs, id -> leave.run());
      } else {
        leave.run();
      }
    }
  }

  /**
   * Pings a client silent for {@code intervalMs}, and ends a session whose ping has gone unanswered that long;
   * anything heard from the client counts as an answer. Called a few times per interval.
   */
  void checkAlive(long nowNanos, long intervalMs) {
    if (closed) {
      return;
    }
    long intervalNanos = intervalMs * 1_000_000;
    if (pingOutstanding) {
      if (nowNanos - pingSentNanos >= intervalNanos) {
        close(CloseCode.GOING_AWAY, DisconnectReason.PING_TIMEOUT, "no answer to ping");
      }
      return;
    }
    if (nowNanos - lastHeardNanos >= intervalNanos) {
      pingOutstanding = true;
      pingSentNanos = nowNanos;
      socket.sendPing();
    }
  }

  private void heard() {
    lastHeardNanos = System.nanoTime();
    pingOutstanding = false;
  }

  /** Who is online in {@code room}; while the presence store does not answer, at least this user. */
  private Future<List<String>> onlineIn(String room) {
    return services.presence().online(room).otherwise(e -> {
      log.warn("presence unavailable for {}: {}", room, e.toString());
      return List.of(user.username());
    });
  }

  /**
   * A fan-out write: a client that lets its send queue fill is cut off rather than allowed to grow memory.
   * The event that finds the queue full is dropped; the client gets it back when it resumes with since.
   */
  private void writeLive(byte[] json) {
    // the socket can be closed by the peer before our close handler has run; a fan-out write then has nowhere to go
    if (closed || socket.isClosed()) {
      return;
    }
    if (socket.sendQueueFull()) {
      services.metrics().sendQueueDropped();
      close(CloseCode.TRY_AGAIN_LATER, DisconnectReason.SLOW_CONSUMER, "too slow: send queue full; reconnect and resume with since");
      return;
    }
    write(json);
    services.metrics().fanoutDelivered();
  }

  private void send(ServerFrame frame) {
    write(Protocol.encode(frame));
  }

  private void write(byte[] json) {
    if (!closed) {
      socket.sendText(json);
      services.metrics().frameSent();
    }
  }

  private void fail(JsonNode id, Throwable t) {
    fail(id, t, null);
  }

  private void fail(JsonNode id, Throwable t, Span span) {
    if (t instanceof ChatException e) {
      send(new ServerFrame.ErrorFrame(id, e.code().wire(), e.getMessage(), null));
    } else {
      services.metrics().exception(t);
      try (LogContext ignored = logContext(null, span)) {
        log.error("request failed on session {}", sessionId, t);
      }
      send(new ServerFrame.ErrorFrame(id, ErrorCode.INTERNAL.wire(), "internal error", null));
    }
  }

  /** Correlation keys for this session's log lines; never the message text or the token. */
  private LogContext logContext(String room, Span span) {
    return LogContext.of(LogContext.SESSION_ID, sessionId,
        LogContext.USER_ID, user == null ? null : Long.toString(user.id()),
        LogContext.ROOM, room,
        LogContext.TRACE_ID, Tracing.traceId(span));
  }

  /** Ends a session that never authenticated: it learns why, then the socket closes with 1008. */
  private void refuse(String reason) {
    send(new ServerFrame.ErrorFrame(null, ErrorCode.UNAUTHORIZED.wire(), reason, null));
    close(CloseCode.POLICY_VIOLATION, DisconnectReason.POLICY, "unauthorized");
  }

  /**
   * Writes an event meant for {@code userId} alone (the assistant's refusal of their question), if this is
   * one of their sessions and it has joined {@code room}. Call on this connection's context.
   */
  void tell(long userId, String room, byte[] json) {
    RoomFeed feed = rooms.get(room);
    if (user != null && user.id() == userId && feed != null && feed.isJoined()) {
      writeLive(json);
    }
  }

  /** The node is shutting down: tell the client to go elsewhere, then close with 1012. Call on this connection's context. */
  void sendAway() {
    send(new ServerFrame.Reconnect());
    close(CloseCode.SERVICE_RESTART, DisconnectReason.SHUTDOWN, "server restarting; reconnect and resume with since");
  }

  Context context() {
    return context;
  }

  void close(CloseCode code, DisconnectReason why, String reason) {
    if (closed) {
      return;
    }
    closeReason = why;
    socket.close(code, reason);
    onClosed();
  }

  @Override
  public void onViolation(boolean tooBig) {
    closeReason = tooBig ? DisconnectReason.TOO_BIG : DisconnectReason.PROTOCOL;
    onClosed();
  }

  @Override
  public void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    services.connections().remove(this);
    services.connections().unwatch(this);
    context.owner().cancelTimer(helloTimer);
    services.metrics().connectionClosed(closeReason);
    if (user != null) {
      services.metrics().userDisconnected(user.id());
      services.connections().signedOut(this, user.id());
    }
    List<RoomFeed> joined = List.copyOf(rooms.values());
    rooms.clear();
    for (RoomFeed feed : joined) {
      drop(feed, services.config().presenceGraceMs());
    }
  }
}
