package io.chatroom.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence shared by every node through Redis. Each room is a hash of {@code user \n connectionId} to the
 * time that entry expires; a node refreshes its own entries every {@code heartbeatMs}, so the users of a node
 * that dies drop out within {@code ttlMs}. {@link #sweep} removes expired entries and reports who went
 * offline through them, exactly once cluster-wide (the node whose delete removed the last entry reports).
 * Beside each room's hash, a set holds the users whose arrival there was announced. Each change is one Lua
 * script, so "first", "last" and "announced" are decided atomically across nodes.
 */
public final class RedisPresenceStore implements PresenceStore {
  /**
   * KEYS: room hash, rooms set, announced set. ARGV: user, field, expiry, now, room. Returns 1 when no other live
   * entry of the user; such a fresh arrival starts unannounced.
   */
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
      if first == 1 then
        redis.call('SREM', KEYS[3], ARGV[1])
      end
      return first
      """;
  /**
   * KEYS: room hash, announced set. ARGV: user, field, now. Returns 0 when the user has another live entry (or this
   * one was gone), 1 when this removed their last and their arrival was not announced, 2 when it was.
   */
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
      return 1 + redis.call('SREM', KEYS[2], ARGV[1])
      """;
  /**
   * KEYS: room hash, announced set. ARGV: now. Deletes expired entries; returns the users left with no live entry
   * whose arrival had been announced.
   */
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
        if not live[user] and redis.call('SREM', KEYS[2], user) == 1 then
          table.insert(gone, user)
        end
      end
      return gone
      """;

  private final Redis client;
  private final String prefix;
  private final String announcedPrefix;
  private final long ttlMs;
  /** This node's entries, refreshed by {@link #heartbeat}: field -> room. */
  private final Map<String, String> mine = new ConcurrentHashMap<>();
  /** The arrivals this node announced, while the user has a connection here. */
  private final Set<Arrival> announcedHere = ConcurrentHashMap.newKeySet();

  private record Arrival(String room, String user) {}

  /**
   * A user who went offline because their entries expired (their node stopped refreshing them), and whose
   * arrival had been announced: announce the departure.
   */
  public record Gone(String room, String user) {}

  public RedisPresenceStore(Redis client, String prefix, long ttlMs) {
    this.client = client;
    this.prefix = prefix + ":presence:";
    this.announcedPrefix = prefix + ":presence-announced:";
    this.ttlMs = ttlMs;
  }

  private String key(String room) {
    return prefix + room;
  }

  /** Users whose arrival in the room was announced; a namespace apart from the rooms' hashes. */
  private String announcedKey(String room) {
    return announcedPrefix + room;
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
    return client.send(Request.cmd(Command.EVAL).arg(JOIN).arg(3).arg(key(room)).arg(roomsKey()).arg(announcedKey(room))
            .arg(user).arg(field).arg(now + ttlMs).arg(now).arg(room))
        .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<Void> announced(String room, String user) {
    announcedHere.add(new Arrival(room, user));
    return client.send(Request.cmd(Command.SADD).arg(announcedKey(room)).arg(user)).mapEmpty();
  }

  @Override
  public Future<Departure> leave(String room, String user, String connectionId) {
    String field = field(user, connectionId);
    mine.remove(field + "\n" + room);
    return client.send(Request.cmd(Command.EVAL).arg(LEAVE).arg(2).arg(key(room)).arg(announcedKey(room)).arg(user).arg(field)
            .arg(System.currentTimeMillis()))
        .map(r -> switch (r.toInteger()) {
          case 0 -> Departure.STILL_THERE;
          case 1 -> Departure.GONE_UNANNOUNCED;
          default -> Departure.GONE;
        });
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
   * entries, their rooms and the marks of the arrivals this node announced rather than touching them, so a Redis
   * that restarted empty is whole again after one beat (but for a mark set by a node the user has since left).
   */
  public Future<Void> heartbeat() {
    long expiry = System.currentTimeMillis() + ttlMs;
    List<Future<Response>> writes = new ArrayList<>();
    Request rooms = Request.cmd(Command.SADD).arg(roomsKey());
    Set<Arrival> stillAnnounced = new HashSet<>();
    for (Map.Entry<String, String> e : mine.entrySet()) {
      String key = e.getKey();
      String field = key.substring(0, key.lastIndexOf('\n'));
      writes.add(client.send(Request.cmd(Command.HSET).arg(key(e.getValue())).arg(field).arg(expiry)));
      rooms.arg(e.getValue());
      Arrival arrival = new Arrival(e.getValue(), field.substring(0, field.indexOf('\n')));
      if (announcedHere.contains(arrival)) {
        stillAnnounced.add(arrival);
      }
    }
    if (!mine.isEmpty()) {
      writes.add(client.send(rooms));
    }
    // A mark re-added for a user who meanwhile left through another node is harmless: their next arrival clears it.
    announcedHere.retainAll(stillAnnounced);
    for (Arrival arrival : stillAnnounced) {
      writes.add(client.send(Request.cmd(Command.SADD).arg(announcedKey(arrival.room())).arg(arrival.user())));
    }
    return Future.join(writes).mapEmpty();
  }

  /** Removes expired entries in every room and returns the announced users who went offline through them. */
  public Future<List<Gone>> sweep() {
    long now = System.currentTimeMillis();
    return client.send(Request.cmd(Command.SMEMBERS).arg(roomsKey())).compose(rooms -> {
      List<Future<List<Gone>>> perRoom = new ArrayList<>();
      for (Response r : rooms) {
        String room = r.toString();
        perRoom.add(client.send(Request.cmd(Command.EVAL).arg(SWEEP).arg(2).arg(key(room)).arg(announcedKey(room)).arg(now)).map(gone -> {
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
