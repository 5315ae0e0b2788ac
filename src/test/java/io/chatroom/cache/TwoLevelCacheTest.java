package io.chatroom.cache;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.observability.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One node's cache in front of a fake database, with other nodes sharing an in-memory second level. */
class TwoLevelCacheTest {
  static final TwoLevelCache.Settings SETTINGS = new TwoLevelCache.Settings("rooms", 1_000, Duration.ofSeconds(100), Duration.ofSeconds(1_000));

  final Metrics metrics = new Metrics();
  final LocalSharedCache.Store shared = new LocalSharedCache.Store();
  final Database database = new Database();
  final AtomicLong nanos = new AtomicLong();

  @AfterEach
  void close() {
    metrics.close();
  }

  /** The source of truth: a map, with every load counted. */
  static final class Database {
    final Map<String, String> rows = new ConcurrentHashMap<>();
    final AtomicInteger loads = new AtomicInteger();

    Future<String> load(String key) {
      loads.incrementAndGet();
      return Future.succeededFuture(rows.get(key));
    }
  }

  TwoLevelCache<String, String> node(SharedCache sharedCache, Function<String, Future<String>> loader) {
    return node(sharedCache, loader, new Random(7)::nextDouble, metrics);
  }

  TwoLevelCache<String, String> node(SharedCache sharedCache, Function<String, Future<String>> loader,
      java.util.function.DoubleSupplier random, Metrics meters) {
    return new TwoLevelCache<>(SETTINGS, String.class, k -> k, loader, sharedCache, meters, nanos::get, random);
  }

  TwoLevelCache<String, String> node() {
    return node(shared.node(), database::load);
  }

  double count(String level, String result) {
    return metrics.registry().get("chatroom.cache.requests")
        .tags("cache", "rooms", "level", level, "result", result).counter().count();
  }

  @Test
  void concurrentGetsOfAColdKeyShareOneLoad() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    Promise<String> row = Promise.promise();
    TwoLevelCache<String, String> cache = node(shared.node(), key -> {
      loads.incrementAndGet();
      return row.future();
    });
    int callers = 32;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Future<String>>> gets = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      gets.add(CompletableFuture.supplyAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        return cache.get("general");
      }));
    }
    start.countDown();
    List<Future<String>> answers = new ArrayList<>();
    for (CompletableFuture<Future<String>> g : gets) {
      answers.add(g.get(5, TimeUnit.SECONDS));
    }
    assertThat(answers).allMatch(f -> !f.isComplete());
    row.complete("{general}");
    for (Future<String> answer : answers) {
      assertThat(await(answer)).isEqualTo("{general}");
    }
    assertThat(loads).hasValue(1);
    assertThat(count("local", "miss")).isEqualTo(1);
    assertThat(count("local", "hit")).as("the others joined the load under way").isEqualTo(callers - 1);
  }

  @Test
  void aNodeGetsWhatAnotherLoadedFromTheSharedLevelWithoutTheDatabase() throws Exception {
    database.rows.put("general", "{general}");
    TwoLevelCache<String, String> a = node();
    TwoLevelCache<String, String> b = node();
    assertThat(await(a.get("general"))).isEqualTo("{general}");
    assertThat(await(b.get("general"))).isEqualTo("{general}");
    assertThat(await(b.get("general"))).isEqualTo("{general}");
    assertThat(database.loads).hasValue(1);
    assertThat(count("shared", "miss")).as("a's look-up").isEqualTo(1);
    assertThat(count("shared", "hit")).as("b's first").isEqualTo(1);
    assertThat(count("local", "hit")).as("b's second").isEqualTo(1);
  }

  @Test
  void anInvalidationReachesEveryNodeAndTheNextGetSeesTheChange() throws Exception {
    database.rows.put("ops:carol", "member");
    TwoLevelCache<String, String> a = node();
    TwoLevelCache<String, String> b = node();
    assertThat(await(a.get("ops:carol"))).isEqualTo("member");
    assertThat(await(b.get("ops:carol"))).isEqualTo("member");

    database.rows.remove("ops:carol");
    assertThat(await(b.get("ops:carol"))).as("not told yet: still cached").isEqualTo("member");
    await(a.invalidate("ops:carol"));
    assertThat(await(a.get("ops:carol"))).isNull();
    assertThat(await(b.get("ops:carol"))).isNull();
    assertThat(database.loads).hasValue(3);
  }

  @Test
  void aLoadThatReadTheOldValueBeforeAnInvalidationLeavesItNowhere() throws Exception {
    database.rows.put("ops:carol", "member");
    Promise<String> slowRead = Promise.promise();
    AtomicInteger calls = new AtomicInteger();
    TwoLevelCache<String, String> a = node(shared.node(), key -> calls.incrementAndGet() == 1 ? slowRead.future() : database.load(key));
    TwoLevelCache<String, String> b = node();
    Future<String> reading = a.get("ops:carol"); // read "member" from the database ...
    database.rows.remove("ops:carol");
    await(b.invalidate("ops:carol")); // ... then carol was demoted ...
    slowRead.complete("member"); // ... and the read came back
    assertThat(await(reading)).as("the get raced the change").isEqualTo("member");

    assertThat(await(b.get("ops:carol"))).as("not written back to the shared level").isNull();
    assertThat(await(a.get("ops:carol"))).as("nor kept in a's memory").isNull();
    assertThat(calls).hasValue(2);
  }

  @Test
  void anAbsentValueIsAnsweredButNotCached() throws Exception {
    TwoLevelCache<String, String> cache = node();
    assertThat(await(cache.get("nowhere"))).isNull();
    database.rows.put("nowhere", "{created}");
    assertThat(await(cache.get("nowhere"))).isEqualTo("{created}");
    assertThat(database.loads).hasValue(2);
  }

  @Test
  void aFailedLoadFailsItsGetsAndIsNotCached() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    TwoLevelCache<String, String> cache = node(shared.node(), key -> calls.incrementAndGet() == 1
        ? Future.failedFuture(new IllegalStateException("database down")) : Future.succeededFuture("{general}"));
    assertThatThrownBy(() -> await(cache.get("general"))).hasRootCauseMessage("database down");
    assertThat(await(cache.get("general"))).isEqualTo("{general}");
    assertThat(metrics.registry().get("chatroom.cache.loads").tags("cache", "rooms", "result", "failure").counter().count()).isEqualTo(1);
  }

  @Test
  void entriesExpireSpreadOverTheirTtlPlusOrMinusTwentyPercent() throws Exception {
    TwoLevelCache<String, String> cache = node(null, database::load);
    int keys = 400;
    for (int i = 0; i < keys; i++) {
      database.rows.put("k" + i, "v" + i);
      await(cache.get("k" + i));
    }
    nanos.set(Duration.ofSeconds(79).toNanos());
    int before = database.loads.get();
    getAll(cache, keys);
    assertThat(database.loads.get() - before).as("none expires before 80 % of the TTL").isZero();

    nanos.set(Duration.ofSeconds(100).toNanos());
    before = database.loads.get();
    getAll(cache, keys);
    int expiredByTtl = database.loads.get() - before;
    assertThat(expiredByTtl).as("about half expire by the TTL itself, not all at once").isBetween(keys * 3 / 10, keys * 7 / 10);

    nanos.set(Duration.ofSeconds(121).toNanos());
    before = database.loads.get();
    getAll(cache, keys);
    assertThat(database.loads.get() - before).as("the rest by 120 %").isEqualTo(keys - expiredByTtl);
  }

  @Test
  void writeBacksToTheSharedLevelHaveJitteredTtlsToo() throws Exception {
    TwoLevelCache<String, String> cache = node();
    for (int i = 0; i < 100; i++) {
      database.rows.put("k" + i, "v" + i);
      await(cache.get("k" + i));
    }
    List<Long> seconds = shared.ttls.stream().map(Duration::toSeconds).toList();
    assertThat(seconds).hasSize(100).allMatch(s -> s >= 800 && s <= 1_200);
    assertThat(seconds.stream().mapToLong(Long::longValue).max().getAsLong()
        - seconds.stream().mapToLong(Long::longValue).min().getAsLong()).as("spread").isGreaterThan(200);
  }

  private static void getAll(TwoLevelCache<String, String> cache, int keys) throws Exception {
    for (int i = 0; i < keys; i++) {
      assertThat(await(cache.get("k" + i))).isEqualTo("v" + i);
    }
  }

  @Test
  void withRedisDownEveryGetFallsBackToTheDatabase() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      database.rows.put("general", "{general}");
      SharedCache down = new RedisSharedCache(vertx, Redis.createClient(vertx, "redis://127.0.0.1:1"), "t");
      TwoLevelCache<String, String> cache = node(down, database::load);
      assertThat(await(cache.get("general"))).isEqualTo("{general}");
      await(cache.invalidate("general"));
      assertThat(await(cache.get("general"))).isEqualTo("{general}");
      assertThat(database.loads).hasValue(2);
      assertThat(count("shared", "miss")).isEqualTo(2);
    } finally {
      vertx.close();
    }
  }

  @Test
  void getsCompleteOnTheCallersContextWhereverTheLoadFinished() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TwoLevelCache<String, String> cache = node(shared.node(),
          key -> Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> "{general}", CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS))));
      Context caller = vertx.getOrCreateContext();
      CompletableFuture<Boolean> onCaller = new CompletableFuture<>();
      caller.runOnContext(v -> cache.get("general").onComplete(ar -> onCaller.complete(Vertx.currentContext() == caller)));
      assertThat(onCaller.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      vertx.close();
    }
  }

  @Test
  void aMemoryHitIsCountedAsALocalHit() throws Exception {
    database.rows.put("general", "{general}");
    TwoLevelCache<String, String> cache = node(null, database::load);
    await(cache.get("general"));
    assertThat(count("local", "hit")).isZero();
    for (int i = 0; i < 5; i++) {
      await(cache.get("general"));
    }
    assertThat(count("local", "hit")).isEqualTo(5);
    assertThat(count("local", "miss")).isEqualTo(1);
    assertThat(metrics.scrape()).contains("chatroom_cache_requests_total{cache=\"rooms\",level=\"local\",result=\"hit\"} 5.0");
  }

  @Test
  void aFailingKeyFunctionFailsTheGetInsteadOfThrowing() {
    TwoLevelCache<String, String> cache = new TwoLevelCache<>(SETTINGS, String.class, k -> k.toLowerCase(), database::load, null, metrics);
    assertThatThrownBy(() -> await(cache.get(null))).isInstanceOf(ExecutionException.class);
  }
}
