package io.chatroom.message;

import io.chatroom.store.Database;
import io.vertx.core.Future;
import java.util.List;

/** Reads of committed messages, run on database threads; futures complete on the caller's context. */
public final class MessageHistory {
  /** Replay on join is bounded so a long-absent client cannot make one join read the whole room. */
  public static final int REPLAY_MAX = 500;
  /** Without {@code since} a client is new to the room: the last screenful is enough. */
  public static final int REPLAY_DEFAULT = 50;
  public static final int PAGE_DEFAULT = 50;
  public static final int PAGE_MAX = 200;

  private final Database db;
  private final Database olderPages;
  private final MessageStore store;

  public MessageHistory(Database db, MessageStore store) {
    this(db, db, store);
  }

  /**
   * @param olderPages where pages strictly before a seq are read: a read replica may serve them, because a
   *                   client asking for what precedes a message it holds asks for long-committed rows. Catch-up
   *                   reads (replays, gaps, {@code after}) must see the latest commits and use {@code db}.
   */
  public MessageHistory(Database db, Database olderPages, MessageStore store) {
    this.db = db;
    this.olderPages = olderPages;
    this.store = store;
  }

  /**
   * What a joining connection must see first.
   *
   * @param messages  the newest messages after {@code since}, ascending
   * @param hasMore   older messages after {@code since} exist that were not included
   * @param delivered the seq the connection is caught up to once it has {@code messages}
   */
  public record Replay(List<Message> messages, boolean hasMore, long delivered) {}

  /**
   * The replay for a join. Call it only after subscribing to the room: then every message committed after
   * this read arrives through the subscription, and {@code delivered} tells which of those are new.
   */
  public Future<Replay> replay(long roomId, String room, Long since) {
    long from = since == null ? 0 : since;
    int limit = since == null ? REPLAY_DEFAULT : REPLAY_MAX;
    return db.read(c -> {
      List<Message> newest = store.newestAfter(c, roomId, room, from, limit + 1);
      boolean hasMore = newest.size() > limit;
      List<Message> page = hasMore ? newest.subList(1, newest.size()) : newest;
      if (!page.isEmpty()) {
        return new Replay(page, hasMore, page.get(page.size() - 1).seq());
      }
      // Nothing after since. Read last_seq only now, so nothing committed between the two reads is
      // skipped; and trust since only as far as the room really goes (a client from a wiped store).
      return new Replay(page, false, Math.min(from, store.lastSeq(c, roomId)));
    });
  }

  /** A page of history, ascending; {@code limit} defaults to {@value #PAGE_DEFAULT} and is capped at {@value #PAGE_MAX}. */
  public Future<List<Message>> page(long roomId, String room, Long before, Long after, Integer limit) {
    int n = limit == null ? PAGE_DEFAULT : Math.min(limit, PAGE_MAX);
    Database source = before != null && after == null ? olderPages : db;
    return source.read(c -> store.page(c, roomId, room, before, after, n));
  }

  /** Messages after {@code after}, ascending, at most {@code limit}: how a connection fills a gap. */
  public Future<List<Message>> after(long roomId, String room, long after, int limit) {
    return db.read(c -> store.page(c, roomId, room, null, after, limit));
  }
}
