package io.chatroom.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's open WebSocket sessions, so a shutdown can send each one away politely and a disabled user's
 * sessions can be ended.
 */
public final class Connections {
  /**
   * How often every open session asks whether its user was disabled or signed out since it began. Each ask
   * is a look-up in this node's memory, a database read once per user per {@code SESSION_STATUS} TTL, so a
   * session ends at most this long after its node learns of the change: at once with Redis (the CLI tells
   * every node), within the 6 s cache lifetime without it; 8 s in all.
   */
  static final long SESSION_CHECK_MS = 2_000;

  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  /**
   * The authenticated sessions by user id, so an event for one user does not visit everyone's. An array
   * replaced on each change: a user has a session or a few, and a concurrent set cost about 200 bytes each.
   */
  private final Map<Long, Connection[]> byUser = new ConcurrentHashMap<>();

  /** Per event loop, the sessions whose life one timer on that loop checks; each set is touched only there. */
  private final Map<Context, Set<Connection>> watched = new ConcurrentHashMap<>();

  void add(Connection c) {
    open.add(c);
  }

  void remove(Connection c) {
    open.remove(c);
  }

  public int size() {
    return open.size();
  }

  /** Has every open session re-check its token every {@link #SESSION_CHECK_MS}, each on its own event loop. */
  void checkSessions(Vertx vertx) {
    vertx.setPeriodic(SESSION_CHECK_MS, id -> {
      for (Connection c : open) {
        c.context().runOnContext(v -> c.recheckSession());
      }
    });
  }

  void signedIn(Connection c, long userId) {
    byUser.compute(userId, (id, sessions) -> {
      if (sessions == null) {
        return new Connection[] {c};
      }
      Connection[] more = Arrays.copyOf(sessions, sessions.length + 1);
      more[sessions.length] = c;
      return more;
    });
  }

  void signedOut(Connection c, long userId) {
    byUser.computeIfPresent(userId, (id, sessions) -> {
      Connection[] rest = Arrays.stream(sessions).filter(s -> s != c).toArray(Connection[]::new);
      return rest.length == 0 ? null : rest;
    });
  }

  /**
   * Checks from now on, every quarter of {@code intervalMs}, that {@code c} is alive ({@link Connection#checkAlive}),
   * with one timer per event loop for all its sessions: a periodic timer per session held about 180 bytes, a
   * twentieth of an idle session. Call on {@code c}'s context; {@code intervalMs} is the same for every session.
   */
  void watch(Connection c, long intervalMs) {
    watched.computeIfAbsent(c.context(), loop -> {
      Set<Connection> sessions = new HashSet<>();
      // bound to the loop's own context, so every tick runs on the thread that owns the set
      ((ContextInternal) loop).setPeriodic(Math.max(1, intervalMs / 4), id -> {
        long now = System.nanoTime();
        for (Connection session : List.copyOf(sessions)) { // a check may end a session, which unwatches it
          session.checkAlive(now, intervalMs);
        }
      });
      return sessions;
    }).add(c);
  }

  /** Stops checking {@code c}. Call on its context. */
  void unwatch(Connection c) {
    Set<Connection> sessions = watched.get(c.context());
    if (sessions != null) {
      sessions.remove(c);
    }
  }

  /**
   * Writes {@code json} to the sessions of {@code userId} on this node that joined {@code room}, each on its
   * own event loop (the assistant's refusal of that user's question).
   */
  public void tell(long userId, String room, byte[] json) {
    Connection[] sessions = byUser.get(userId);
    if (sessions == null) {
      return;
    }
    for (Connection c : sessions) {
      c.context().runOnContext(v -> c.tell(userId, room, json));
    }
  }

  /**
   * Sends every session a {@code reconnect} and closes it with 1012, each on its own event loop, and
   * completes when all are closed or {@code timeoutMs} has passed.
   */
  public Future<Void> sendAllAway(Vertx vertx, long timeoutMs) {
    for (Connection c : List.copyOf(open)) {
      c.context().runOnContext(v -> c.sendAway());
    }
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    vertx.setPeriodic(20, id -> {
      if (open.isEmpty() || System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        done.tryComplete();
      }
    });
    return done.future();
  }
}
