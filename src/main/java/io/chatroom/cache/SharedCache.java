package io.chatroom.cache;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * The cache every node shares (the second level behind each node's memory), and the channel on which a
 * node tells the others to forget an entry. Entries are strings (JSON) under a key within a named cache.
 *
 * <p>It is only a cache: a failing store is a miss or a no-op, never an error the request sees. Only
 * {@link #invalidate} reports failure, so a caller that must know (the CLI) can say so.
 */
public interface SharedCache {
  /**
   * After an invalidation, write-backs of the key are refused this long. A node that read the database just
   * before the change may come back with the old answer after the change; this keeps it out. Why 10 s:
   * longer than a database read takes before the pool gives up on it (5 s to get a connection).
   */
  Duration FENCE = Duration.ofSeconds(10);

  /** The value, or null when it is absent, fenced, or the store did not answer in time. Never fails. */
  Future<String> get(String cache, String key);

  /**
   * Stores {@code value} for {@code ttl} unless the key holds a value already or is fenced: true when stored.
   * Never fails (false).
   */
  Future<Boolean> put(String cache, String key, String value, Duration ttl);

  /**
   * Removes the key and fences it for {@link #FENCE}, then tells every other node's listener of {@code cache}.
   * The message reaches the nodes connected at the time, at most once; a node that loses its link hears
   * {@link Listener#onResync} when it is back. Fails when the store did not take the change.
   */
  Future<Void> invalidate(String cache, String key);

  /**
   * Hands {@code listener} the invalidations of {@code cache} made by other nodes, on a thread of the
   * implementation's choosing. One listener per cache.
   *
   * @throws IllegalStateException when {@code cache} has a listener already
   */
  void listen(String cache, Listener listener);

  /** Hears what other nodes changed. Must not block. */
  interface Listener {
    /** Another node invalidated {@code key}. */
    void onInvalidate(String key);

    /** Invalidations may have been missed (the link dropped and is back): forget everything. */
    void onResync();
  }
}
