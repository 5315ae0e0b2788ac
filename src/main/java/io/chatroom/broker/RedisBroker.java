package io.chatroom.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of a cluster: events go to this node's subscribers at once (as with {@link LocalBroker}) and,
 * through Redis pub/sub, to every other node's. Redis is only a fast path: it may drop events, and the
 * database stays the truth. When a link to Redis drops and comes back, every subscriber on this node is
 * told to catch up from the store ({@link Broker.Subscriber#onResync}); when this node could not publish,
 * it asks every node to do the same once it can again. Message seqs do the rest: a subscriber that sees
 * a seq jump fills the gap from the store before delivering.
 *
 * <p>Publishing and subscribing use one dedicated connection each, owned by one context, so one node's
 * events leave in the order they were published. Every node subscribes to the pattern of all rooms and
 * drops events for rooms nobody on it has joined: simple, and cheap at the scale of a few nodes.
 */
public final class RedisBroker implements Broker, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
  static final long MAX_BACKOFF_MS = 5_000;
  /** The room of a control event that asks every node to resync. */
  private static final String RESYNC = "";

  private final Vertx vertx;
  private final Redis client;
  private final String channelPrefix;
  private final String origin = UUID.randomUUID().toString();
  private final LocalBroker local = new LocalBroker();
  /** Owns both connections and every Redis call, so publishes keep their order. */
  private final Context context;
  private RedisConnection publisher;
  private RedisConnection subscriber;
  private boolean publishMissed;
  private boolean subscriberLost;
  private volatile boolean closed;
  private long backoffMs = 100;

  private RedisBroker(Vertx vertx, Redis client, String prefix) {
    this.vertx = vertx;
    this.client = client;
    this.channelPrefix = prefix + ":room:";
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Connects both links. Fails when Redis does not answer, so a misconfigured REDIS_URL stops start-up.
   *
   * @param prefix namespaces the channels, so several installations (or tests) can share one Redis
   */
  public static Future<RedisBroker> connect(Vertx vertx, Redis client, String prefix) {
    RedisBroker broker = new RedisBroker(vertx, client, prefix);
    return Future.<Void>future(p -> broker.context.runOnContext(v -> broker.connectPublisher()
            .compose(ok -> broker.connectSubscriber())
            .onComplete(p)))
        .map(broker);
  }

  @Override
  public void publish(RoomEvent event) {
    local.publish(event);
    Buffer payload = encode(event);
    context.runOnContext(v -> send(event.room(), payload));
  }

  /**
   * Publishes {@code event} to the subscribers on every node once, from a process that is not a node and
   * keeps no links (the CLI). At most once, like every publish; fails when Redis did not take it.
   */
  public static Future<Void> publishOnce(Redis client, String prefix, RoomEvent event) {
    return client.send(Request.cmd(Command.PUBLISH).arg(prefix + ":room:" + event.room())
        .arg(encode(UUID.randomUUID().toString(), event))).mapEmpty();
  }

  @Override
  public Subscription subscribe(String room, Subscriber subscriber) {
    return local.subscribe(room, subscriber);
  }

  private void send(String room, Buffer payload) {
    if (publisher == null) {
      publishMissed = true;
      return;
    }
    publisher.send(Request.cmd(Command.PUBLISH).arg(channelPrefix + room).arg(payload)).onFailure(e -> {
      // at most once: the other nodes repair from the store, told so when this link is back
      publishMissed = true;
      log.debug("publish to redis failed: {}", e.toString());
    });
  }

  private Future<Void> connectPublisher() {
    return client.connect().map(conn -> {
      publisher = conn;
      conn.exceptionHandler(e -> log.debug("redis publisher link: {}", e.toString()));
      conn.endHandler(v -> {
        if (publisher == conn) {
          publisher = null;
          publishMissed = true;
          reconnect(this::connectPublisher, "publisher");
        }
      });
      if (publishMissed) {
        publishMissed = false;
        send(RESYNC, encode(new RoomEvent(RESYNC, 0, null, new byte[0])));
      }
      return null;
    });
  }

  private Future<Void> connectSubscriber() {
    return client.connect().compose(conn -> {
      conn.handler(this::onPush);
      conn.exceptionHandler(e -> log.debug("redis subscriber link: {}", e.toString()));
      conn.endHandler(v -> {
        if (subscriber == conn) {
          subscriber = null;
          subscriberLost = true;
          reconnect(this::connectSubscriber, "subscriber");
        }
      });
      return conn.send(Request.cmd(Command.PSUBSCRIBE).arg(channelPrefix + "*")).map(ok -> {
        subscriber = conn;
        if (subscriberLost) {
          subscriberLost = false;
          local.resync(); // whatever other nodes published meanwhile never reached us
        }
        return null;
      });
    });
  }

  private void reconnect(java.util.function.Supplier<Future<Void>> connect, String link) {
    if (closed) {
      return;
    }
    log.warn("redis {} link lost; reconnecting in {} ms", link, backoffMs);
    vertx.setTimer(backoffMs, id -> context.runOnContext(v -> connect.get().onComplete(ar -> {
      if (ar.succeeded()) {
        log.info("redis {} link is back", link);
        backoffMs = 100;
      } else {
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        reconnect(connect, link);
      }
    })));
    backoffMs = Math.max(backoffMs, 200);
  }

  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      return;
    }
    if (push.size() < 4 || !"pmessage".equals(push.get(0).toString())) {
      return;
    }
    RoomEvent event = decode(push.get(3).toBuffer());
    if (event == null) {
      return;
    }
    if (event.room().equals(RESYNC)) {
      local.resync();
    } else {
      local.publish(event);
    }
  }

  /** origin \n room \n seq \n skipUser \n json: text headers (no field can hold a newline), raw JSON bytes. */
  private Buffer encode(RoomEvent event) {
    return encode(origin, event);
  }

  private static Buffer encode(String origin, RoomEvent event) {
    String header = origin + "\n" + event.room() + "\n" + event.seq() + "\n" + (event.skipUser() == null ? "" : event.skipUser()) + "\n";
    return Buffer.buffer(header.length() + event.json().length).appendString(header, "UTF-8").appendBytes(event.json());
  }

  /** The event, or null when it is this node's own (already delivered locally) or unreadable. */
  private RoomEvent decode(Buffer payload) {
    byte[] bytes = payload.getBytes();
    int[] ends = new int[4];
    int found = 0;
    for (int i = 0; i < bytes.length && found < 4; i++) {
      if (bytes[i] == '\n') {
        ends[found++] = i;
      }
    }
    if (found < 4) {
      return null;
    }
    String from = new String(bytes, 0, ends[0], StandardCharsets.UTF_8);
    if (from.equals(origin)) {
      return null;
    }
    String room = new String(bytes, ends[0] + 1, ends[1] - ends[0] - 1, StandardCharsets.UTF_8);
    long seq = Long.parseLong(new String(bytes, ends[1] + 1, ends[2] - ends[1] - 1, StandardCharsets.US_ASCII));
    String skip = new String(bytes, ends[2] + 1, ends[3] - ends[2] - 1, StandardCharsets.UTF_8);
    byte[] json = java.util.Arrays.copyOfRange(bytes, ends[3] + 1, bytes.length);
    return new RoomEvent(room, seq, skip.isEmpty() ? null : skip, json);
  }

  /** Stops reconnecting and closes both links; the node is going away. */
  @Override
  public void close() {
    closed = true;
    context.runOnContext(v -> {
      if (publisher != null) {
        publisher.close();
      }
      if (subscriber != null) {
        subscriber.close();
      }
    });
  }
}
