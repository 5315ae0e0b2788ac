package io.chatroom.cache;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A shared cache in this JVM's memory, for tests: nodes made on one {@link Store} share its entries and
 * hear one another's invalidations, as nodes sharing Redis do. Invalidations are delivered at once, on
 * the invalidating thread. Every TTL a put asks for is recorded.
 */
final class LocalSharedCache implements SharedCache {
  /** What the nodes share. */
  static final class Store {
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<LocalSharedCache> nodes = new CopyOnWriteArrayList<>();
    final List<Duration> ttls = new CopyOnWriteArrayList<>();

    /** A node on this store. */
    LocalSharedCache node() {
      LocalSharedCache node = new LocalSharedCache(this);
      nodes.add(node);
      return node;
    }
  }

  /** A value, or a fence (null value), until {@code expiresAtNanos}. */
  private record Entry(String value, long expiresAtNanos) {
    boolean live() {
      return System.nanoTime() - expiresAtNanos < 0;
    }
  }

  private final Store store;
  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();

  private LocalSharedCache(Store store) {
    this.store = store;
  }

  @Override
  public Future<String> get(String cache, String key) {
    Entry e = store.entries.get(cache + ":" + key);
    return Future.succeededFuture(e != null && e.live() ? e.value() : null);
  }

  @Override
  public Future<Boolean> put(String cache, String key, String value, Duration ttl) {
    store.ttls.add(ttl);
    Entry fresh = new Entry(value, System.nanoTime() + ttl.toNanos());
    Entry now = store.entries.compute(cache + ":" + key, (k, e) -> e != null && e.live() ? e : fresh);
    return Future.succeededFuture(now == fresh);
  }

  @Override
  public Future<Void> invalidate(String cache, String key) {
    store.entries.put(cache + ":" + key, new Entry(null, System.nanoTime() + FENCE.toNanos()));
    for (LocalSharedCache node : store.nodes) {
      Listener listener = node.listeners.get(cache);
      if (node != this && listener != null) {
        listener.onInvalidate(key);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public void listen(String cache, Listener listener) {
    if (listeners.putIfAbsent(cache, listener) != null) {
      throw new IllegalStateException("cache '" + cache + "' has a listener already");
    }
  }
}
