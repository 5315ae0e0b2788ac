package io.chatroom.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence shared by every node through Redis. Each room is a hash of {@code user \n connectionId} to the
 * time that entry expires; a node refreshes its own entries every {@code heartbeatMs}, so the users of a node
 * that dies drop out within {@code ttlMs}. {@link #sweep} removes expired entries and reports who went
 * offline through them, exactly once cluster-wide (the node whose delete removed the last entry reports).
 * Each change is one Lua script, so "first" and "last" are decided atomically across nodes.
 */
public final class RedisPresenceStore implements PresenceStore {
  /** KEYS: room hash, rooms set. ARGV: user, field, expiry, now, room. Returns 1 when no other live entry of the user. */
  private static final String JOIN = """
      local entries = redis.call('HGETALL', KEYS[1])
      local first = 1
      local prefix = ARGV[1] .. '\\n'
      for i = 1, #entries, 2 do
        if entries[i] ~= ARGV[2] and string.sub(entries[i], 1, #prefix) == prefix and tonumber(entries[i + 1]) > tonumber(ARGV[4]) then
          first = 0
        end
      end
      redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
      redis.call('SADD', KEYS[2], ARGV[5])
      return first
      """;
  /** KEYS: room hash. ARGV: user, field, now. Returns 1 when this removed the user's last live entry. */
  private static final String LEAVE = """
      if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then
        return 0
      end
      local entries = redis.call('HGETALL', KEYS[1])
      local prefix = ARGV[1] .. '\\n'
      for i = 1, #entries, 2 do
        if string.sub(entries[i], 1, #prefix) == prefix and tonumber(entries[i + 1]) > tonumber(ARGV[3]) then
          return 0
        end
      end
      return 1
      """;
  /** KEYS: room hash. ARGV: now. Deletes expired entries; returns the users left with no live entry. */
  private static final String SWEEP = """
      local entries = redis.call('HGETALL', KEYS[1])
      local live = {}
      local expired = {}
      for i = 1, #entries, 2 do
        local user = string.match(entries[i], '^(.*)\\n')
        if tonumber(entries[i + 1]) > tonumber(ARGV[1]) then
          live[user] = true
        else
          redis.call('HDEL', KEYS[1], entries[i])
          expired[user] = true
        end
      end
      local gone = {}
      for user, _ in pairs(expired) do
        if not live[user] then
          table.insert(gone, user)
        end
      end
      return gone
      """;

  private final Redis client;
  private final String prefix;
  private final long ttlMs;
  /** This node's entries, refreshed by {@link #heartbeat}: field -> room. */
  private final Map<String, String> mine = new ConcurrentHashMap<>();

  /** A user who went offline because their entries expired (their node stopped refreshing them). */
  public record Gone(String room, String user) {}

  public RedisPresenceStore(Redis client, String prefix, long ttlMs) {
    this.client = client;
    this.prefix = prefix + ":presence:";
    this.ttlMs = ttlMs;
  }

  private String key(String room) {
    return prefix + room;
  }

  private String roomsKey() {
    return prefix + "rooms";
  }

  private static String field(String user, String connectionId) {
    return user + "\n" + connectionId;
  }

  @Override
  public Future<Boolean> join(String room, String user, String connectionId) {
    String field = field(user, connectionId);
    mine.put(field + "\n" + room, room);
    long now = System.currentTimeMillis();
    return client.send(Request.cmd(Command.EVAL).arg(JOIN).arg(2).arg(key(room)).arg(roomsKey())
            .arg(user).arg(field).arg(now + ttlMs).arg(now).arg(room))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Boolean> leave(String room, String user, String connectionId) {
    String field = field(user, connectionId);
    mine.remove(field + "\n" + room);
    return client.send(Request.cmd(Command.EVAL).arg(LEAVE).arg(1).arg(key(room)).arg(user).arg(field).arg(System.currentTimeMillis()))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<String>> online(String room) {
    long now = System.currentTimeMillis();
    return client.send(Request.cmd(Command.HGETALL).arg(key(room))).map(all -> {
      TreeSet<String> users = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      if (all != null) {
        for (String field : all.getKeys()) {
          if (Long.parseLong(all.get(field).toString()) > now) {
            users.add(field.substring(0, field.indexOf('\n')));
          }
        }
      }
      return new ArrayList<>(users);
    });
  }

  /**
   * Pushes the expiry of every entry this node holds forward; run more often than the TTL. It rewrites the
   * entries and their rooms rather than touching them, so a Redis that restarted empty is whole again after one beat.
   */
  public Future<Void> heartbeat() {
    long expiry = System.currentTimeMillis() + ttlMs;
    List<Future<Response>> writes = new ArrayList<>();
    Request rooms = Request.cmd(Command.SADD).arg(roomsKey());
    for (Map.Entry<String, String> e : mine.entrySet()) {
      String key = e.getKey();
      String field = key.substring(0, key.lastIndexOf('\n'));
      writes.add(client.send(Request.cmd(Command.HSET).arg(key(e.getValue())).arg(field).arg(expiry)));
      rooms.arg(e.getValue());
    }
    if (!mine.isEmpty()) {
      writes.add(client.send(rooms));
    }
    return Future.join(writes).mapEmpty();
  }

  /** Removes expired entries in every room and returns who went offline through them. */
  public Future<List<Gone>> sweep() {
    long now = System.currentTimeMillis();
    return client.send(Request.cmd(Command.SMEMBERS).arg(roomsKey())).compose(rooms -> {
      List<Future<List<Gone>>> perRoom = new ArrayList<>();
      for (Response r : rooms) {
        String room = r.toString();
        perRoom.add(client.send(Request.cmd(Command.EVAL).arg(SWEEP).arg(1).arg(key(room)).arg(now)).map(gone -> {
          List<Gone> list = new ArrayList<>();
          for (Response user : gone) {
            list.add(new Gone(room, user.toString()));
          }
          return list;
        }));
      }
      return Future.all(perRoom).map(done -> {
        List<Gone> all = new ArrayList<>();
        for (Future<List<Gone>> f : perRoom) {
          all.addAll(f.result());
        }
        return all;
      });
    });
  }

  /** Periodic upkeep for a node: heartbeat and sweep every {@code everyMs}, reporting who went offline. */
  public long schedule(Vertx vertx, long everyMs, java.util.function.Consumer<Gone> offline) {
    return vertx.setPeriodic(everyMs, id -> heartbeat().compose(v -> sweep()).onSuccess(gone -> gone.forEach(offline)));
  }
}
