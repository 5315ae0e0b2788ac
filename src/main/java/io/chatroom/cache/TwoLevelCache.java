package io.chatroom.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.chatroom.observability.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-through cache in two levels: this node's memory (Caffeine), then the {@link SharedCache} of all
 * nodes, then the loader (the database). What the loader finds is written back to both levels.
 *
 * <ul>
 *   <li>Single flight: concurrent gets of a key this node does not hold share one look-up and one load.
 *   <li>Every entry lives its level's TTL ± {@value #JITTER_PERCENT} %, so entries loaded together (a
 *       reconnect storm) do not expire together and stampede the database again.
 *   <li>A loader answer of null means absent: it is returned, and cached nowhere.
 *   <li>A failing shared cache is a miss; only a failing loader fails a get, and its failure is not cached.
 *   <li>Futures complete on the caller's context (or, called from outside Vert.x, on any thread).
 * </ul>
 *
 * <p>Values cross the shared level as JSON; one that does not read back (another version wrote it) is a miss.
 *
 * @param <K> the key the loader takes
 * @param <V> the value, a JSON-mappable type such as a record
 */
public final class TwoLevelCache<K, V> {
  private static final Logger log = LoggerFactory.getLogger(TwoLevelCache.class);
  static final int JITTER_PERCENT = 20;
  /** Unknown fields are ignored, so a node reads what a newer node wrote during a rolling upgrade. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  /**
   * What to keep and for how long.
   *
   * @param name       names the cache in metrics and in the shared store's keys
   * @param maxEntries this node's memory holds at most this many entries, least used out first
   * @param localTtl   how long this node keeps an entry (before jitter)
   * @param sharedTtl  how long the shared cache keeps an entry (before jitter)
   */
  public record Settings(String name, long maxEntries, Duration localTtl, Duration sharedTtl) {
    /** The longest an entry can outlive a change nobody was told about: both TTLs at their longest. */
    public Duration staleAtMost() {
      return localTtl.plus(sharedTtl).multipliedBy(100 + JITTER_PERCENT).dividedBy(100);
    }
  }

  private final Settings settings;
  private final Class<V> type;
  private final Function<K, String> keyOf;
  private final Function<K, Future<V>> loader;
  private final SharedCache shared;
  private final Metrics.CacheMeters meters;
  /** Uniform in [0, 1); shared by threads, so the default is ThreadLocalRandom. */
  private final DoubleSupplier random;
  private final AsyncCache<String, V> local;

  /**
   * @param keyOf  the key as a string, unique within this cache
   * @param loader the value from the source of truth, or null when there is none; concurrent gets of a key
   *               on this node share one call
   * @param shared the cache all nodes share, or null on a single node: then only this node's memory is used
   */
  public TwoLevelCache(Settings settings, Class<V> type, Function<K, String> keyOf, Function<K, Future<V>> loader,
      SharedCache shared, Metrics metrics) {
    this(settings, type, keyOf, loader, shared, metrics, Ticker.systemTicker(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** As the public constructor, with time and randomness given (tests). */
  TwoLevelCache(Settings settings, Class<V> type, Function<K, String> keyOf, Function<K, Future<V>> loader,
      SharedCache shared, Metrics metrics, Ticker ticker, DoubleSupplier random) {
    this.settings = settings;
    this.type = type;
    this.keyOf = keyOf;
    this.loader = loader;
    this.shared = shared;
    this.meters = metrics.cache(settings.name());
    this.random = random;
    this.local = Caffeine.newBuilder()
        .maximumSize(settings.maxEntries())
        .expireAfter(Expiry.<String, V>creating((key, value) -> jittered(settings.localTtl())))
        .ticker(ticker)
        .evictionListener((String key, V value, RemovalCause cause) -> meters.evicted(cause == RemovalCause.EXPIRED))
        .buildAsync();
    if (shared != null) {
      shared.listen(settings.name(), new SharedCache.Listener() {
        @Override
        public void onInvalidate(String key) {
          local.synchronous().invalidate(key);
        }

        @Override
        public void onResync() {
          local.synchronous().invalidateAll();
        }
      });
    }
  }

  /** The value for {@code key}, or null when the loader found none. Fails only when the loader fails. */
  public Future<V> get(K key) {
    Context caller = Vertx.currentContext();
    CompletableFuture<V> value;
    boolean[] missed = {false};
    try {
      value = local.get(keyOf.apply(key), (id, executor) -> {
        missed[0] = true;
        return load(key, id);
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // a get that joins a load already under way counts as a hit: it costs no look-up of its own
    meters.local(!missed[0]);
    return onCaller(value, caller);
  }

  /**
   * Forgets {@code key} here and in the shared cache, and tells every other node to forget it. Call it after
   * the change is committed. Completes once the shared cache has it, or could not be reached: a shared cache
   * that is down does not fail it.
   */
  public Future<Void> invalidate(K key) {
    Context caller = Vertx.currentContext();
    String id;
    try {
      id = keyOf.apply(key);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    local.synchronous().invalidate(id);
    if (shared == null) {
      return Future.succeededFuture();
    }
    Future<Void> done = shared.invalidate(settings.name(), id).transform(ar -> {
      if (ar.failed()) {
        log.warn("could not tell other nodes to forget {}/{}: {}; they hold it at most {}", settings.name(), id,
            ar.cause().toString(), settings.staleAtMost());
      }
      // again: a get that read the old value before the fence was up must not have left it here
      local.synchronous().invalidate(id);
      return Future.<Void>succeededFuture();
    });
    return onCaller(done.toCompletionStage(), caller);
  }

  /**
   * Forgets {@code key} in this node's memory only: for a node that has just read the source of truth and
   * knows its copy may be older. The shared cache and other nodes are left alone.
   */
  public void invalidateLocally(K key) {
    local.synchronous().invalidate(keyOf.apply(key));
  }

  private CompletableFuture<V> load(K key, String id) {
    Future<V> fromShared = shared == null ? Future.succeededFuture() : shared.get(settings.name(), id)
        .otherwise((String) null)
        .map(json -> {
          V value = decode(id, json);
          meters.shared(value != null);
          return value;
        });
    return fromShared.compose(hit -> hit != null ? Future.succeededFuture(hit) : fromLoader(key, id))
        .toCompletionStage().toCompletableFuture();
  }

  private Future<V> fromLoader(K key, String id) {
    Future<V> loaded;
    try {
      loaded = loader.apply(key);
    } catch (RuntimeException e) {
      loaded = Future.failedFuture(e);
    }
    return loaded.andThen(ar -> {
      meters.loaded(ar.succeeded());
      if (ar.succeeded() && ar.result() != null && shared != null) {
        String json = encode(id, ar.result());
        if (json != null) {
          shared.put(settings.name(), id, json, jittered(settings.sharedTtl()));
        }
      }
    });
  }

  private V decode(String id, String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readValue(json, type);
    } catch (Exception e) {
      log.debug("unreadable shared cache entry {}/{}: {}", settings.name(), id, e.toString());
      return null;
    }
  }

  private String encode(String id, V value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      log.warn("cannot write {}/{} to the shared cache: {}", settings.name(), id, e.toString());
      return null;
    }
  }

  private Duration jittered(Duration ttl) {
    double factor = 1 + JITTER_PERCENT / 100.0 * (2 * random.getAsDouble() - 1);
    return Duration.ofNanos((long) (ttl.toNanos() * factor));
  }

  private static <T> Future<T> onCaller(CompletionStage<T> stage, Context caller) {
    return caller == null ? Future.fromCompletionStage(stage) : Future.fromCompletionStage(stage, caller);
  }
}
