package io.chatroom.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every meter the node exposes at {@code /metrics}. The names are a contract with dashboards and alert
 * rules (deploy/monitoring): change one and those break. No label takes an unbounded value: routes are
 * templates, reasons and types come from small fixed sets, never user, room or message ids.
 *
 * <p>One instance per node (tests run several nodes in one JVM, so nothing here is global).
 */
public final class Metrics implements AutoCloseable {
  private static final Duration[] LATENCY_SLOS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  private final AtomicInteger connectionsActive = new AtomicInteger();
  private final ConcurrentHashMap<Long, Integer> connectionsPerUser = new ConcurrentHashMap<>();
  private final AtomicInteger loadShedding = new AtomicInteger();
  private final Counter connectionsTotal;
  private final Counter framesReceived;
  private final Counter framesSent;
  private final Counter fanoutDeliveries;
  private final Counter sendQueueDrops;
  private final Counter slowConsumerDisconnects;
  private final Counter rateLimited;
  private final Counter messages;
  private final DistributionSummary batchSize;
  private final Timer commitDuration;
  /** Running totals the built-in monitor turns into per-interval figures. */
  private final LongAdder httpRequests = new LongAdder();
  private final LongAdder httpErrors = new LongAdder();
  private final LongAdder httpNanos = new LongAdder();

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);

    Gauge.builder("chatroom.websocket.connections.active", connectionsActive, AtomicInteger::get)
        .description("Open WebSocket connections").register(registry);
    Gauge.builder("chatroom.users.online", connectionsPerUser, Map::size)
        .description("Distinct users with at least one authenticated connection on this node").register(registry);
    Gauge.builder("chatroom.load.shedding.active", loadShedding, AtomicInteger::get)
        .description("1 while the node sheds load").register(registry);
    connectionsTotal = counter("chatroom.websocket.connections", "WebSocket connections accepted");
    framesReceived = counter("chatroom.websocket.frames.received", "WebSocket frames received from clients");
    framesSent = counter("chatroom.websocket.frames.sent", "WebSocket frames written to clients");
    fanoutDeliveries = counter("chatroom.fanout.deliveries", "Room events written to subscribed connections");
    sendQueueDrops = counter("chatroom.send.queue.drops", "Room events dropped because a connection's send queue was full (the connection is then closed)");
    slowConsumerDisconnects = counter("chatroom.slow.consumer.disconnects", "Connections closed for not reading fast enough");
    rateLimited = counter("chatroom.rate.limited", "Frames refused by the per-connection rate limit");
    messages = counter("chatroom.messages", "Messages accepted and committed (duplicates excluded)");
    batchSize = DistributionSummary.builder("chatroom.group.commit.batch.size")
        .description("Sends committed per transaction")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
        .register(registry);
    commitDuration = Timer.builder("chatroom.group.commit.duration")
        .description("Time to commit one group of sends")
        .serviceLevelObjectives(LATENCY_SLOS)
        .register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  /** Records one finished HTTP request; {@code route} must be a template, never a raw path. */
  public void httpRequest(String method, String route, int status, long nanos) {
    String code = Integer.toString(status);
    registry.counter("chatroom.http.requests", "method", method, "route", route, "status", code).increment();
    Timer.builder("chatroom.http.request.duration")
        .description("HTTP request duration")
        .tags("method", method, "route", route, "status", code)
        .serviceLevelObjectives(LATENCY_SLOS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    httpRequests.increment();
    httpNanos.add(nanos);
    if (status >= 500) {
      httpErrors.increment();
    }
  }

  public void connectionOpened() {
    connectionsActive.incrementAndGet();
    connectionsTotal.increment();
  }

  /** @param reason one of {@link DisconnectReason}'s labels */
  public void connectionClosed(DisconnectReason reason) {
    connectionsActive.decrementAndGet();
    registry.counter("chatroom.websocket.disconnections", "reason", reason.label).increment();
    if (reason == DisconnectReason.SLOW_CONSUMER) {
      slowConsumerDisconnects.increment();
    }
  }

  public void frameReceived() {
    framesReceived.increment();
  }

  public void frameSent() {
    framesSent.increment();
  }

  public void fanoutDelivered() {
    fanoutDeliveries.increment();
  }

  public void sendQueueDropped() {
    sendQueueDrops.increment();
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  public void messagesCommitted(int count) {
    messages.increment(count);
  }

  public void groupCommitted(int batch, long nanos) {
    batchSize.record(batch);
    commitDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts an unexpected failure by exception class: a bounded set, unlike messages. */
  public void exception(Throwable t) {
    registry.counter("chatroom.exceptions", "type", t.getClass().getSimpleName()).increment();
  }

  /** A connection authenticated as {@code userId}; the user counts once however many tabs they open. */
  public void userConnected(long userId) {
    connectionsPerUser.merge(userId, 1, Integer::sum);
  }

  public void userDisconnected(long userId) {
    connectionsPerUser.computeIfPresent(userId, (id, n) -> n == 1 ? null : n - 1);
  }

  public void loadShedding(boolean active) {
    loadShedding.set(active ? 1 : 0);
  }

  public void loadSheddingAction(String action) {
    registry.counter("chatroom.load.shedding.actions", "action", action).increment();
  }

  public int connectionsActive() {
    return connectionsActive.get();
  }

  public int usersOnline() {
    return connectionsPerUser.size();
  }

  public long messagesTotal() {
    return (long) messages.count();
  }

  /** Totals since start: requests, 5xx responses, and summed duration in nanoseconds. */
  public HttpTotals httpTotals() {
    return new HttpTotals(httpRequests.sum(), httpErrors.sum(), httpNanos.sum());
  }

  public record HttpTotals(long requests, long errors, long nanos) {}

  /** The meters of the cache named {@code cache}; registered now, so they read 0 before the first request. */
  public CacheMeters cache(String cache) {
    return new CacheMeters(registry, cache);
  }

  /**
   * One cache's meters, held by the cache so the hot path counts without a registry look-up. Levels: {@code
   * local} is the node's memory, {@code shared} the Redis cache every node reads when its memory misses.
   */
  public static final class CacheMeters {
    private final Counter localHits;
    private final Counter localMisses;
    private final Counter sharedHits;
    private final Counter sharedMisses;
    private final Counter loads;
    private final Counter loadFailures;
    private final Counter expirations;
    private final Counter sizeEvictions;

    private CacheMeters(MeterRegistry registry, String cache) {
      localHits = request(registry, cache, "local", "hit");
      localMisses = request(registry, cache, "local", "miss");
      sharedHits = request(registry, cache, "shared", "hit");
      sharedMisses = request(registry, cache, "shared", "miss");
      loads = load(registry, cache, "success");
      loadFailures = load(registry, cache, "failure");
      expirations = eviction(registry, cache, "expired");
      sizeEvictions = eviction(registry, cache, "size");
    }

    private static Counter request(MeterRegistry registry, String cache, String level, String result) {
      return Counter.builder("chatroom.cache.requests").description("Cache look-ups by level and outcome")
          .tags("cache", cache, "level", level, "result", result).register(registry);
    }

    private static Counter load(MeterRegistry registry, String cache, String result) {
      return Counter.builder("chatroom.cache.loads").description("Look-ups that missed every level and went to the database")
          .tags("cache", cache, "result", result).register(registry);
    }

    private static Counter eviction(MeterRegistry registry, String cache, String cause) {
      return Counter.builder("chatroom.cache.evictions").description("Entries the node's memory dropped by itself")
          .tags("cache", cache, "cause", cause).register(registry);
    }

    public void local(boolean hit) {
      (hit ? localHits : localMisses).increment();
    }

    public void shared(boolean hit) {
      (hit ? sharedHits : sharedMisses).increment();
    }

    public void loaded(boolean succeeded) {
      (succeeded ? loads : loadFailures).increment();
    }

    /** @param expired true when the entry outlived its TTL, false when it made room for others */
    public void evicted(boolean expired) {
      (expired ? expirations : sizeEvictions).increment();
    }
  }

  /**
   * The assistant's meters; registered now, so they read 0 before the first question. Call once per node: the
   * breaker gauge stays bound to the first instance.
   */
  public AiMeters ai() {
    return new AiMeters(registry);
  }

  /**
   * The assistant's meters. {@code outcome} labels come from the assistant's fixed set of outcomes; the
   * breaker state is 0 closed, 1 open, 2 half-open.
   */
  public static final class AiMeters {
    private static final Duration[] AI_SLOS = {
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
    private final MeterRegistry registry;
    private final Timer duration;
    private final Timer firstToken;
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final AtomicInteger breakerState = new AtomicInteger();

    private AiMeters(MeterRegistry registry) {
      this.registry = registry;
      duration = Timer.builder("chatroom.ai.request.duration")
          .description("Time from a question's commit to its answer's end, for answers from the provider")
          .serviceLevelObjectives(AI_SLOS).register(registry);
      firstToken = Timer.builder("chatroom.ai.first.token")
          .description("Time from a question's commit to the first token of its answer")
          .serviceLevelObjectives(AI_SLOS).register(registry);
      tokensIn = Counter.builder("chatroom.ai.tokens").description("Tokens sent to and received from the provider"
          + " (its own count when it reports usage, else estimated at 4 characters a token)").tags("direction", "in").register(registry);
      tokensOut = Counter.builder("chatroom.ai.tokens").description("Tokens sent to and received from the provider"
          + " (its own count when it reports usage, else estimated at 4 characters a token)").tags("direction", "out").register(registry);
      Gauge.builder("chatroom.ai.breaker.state", breakerState, AtomicInteger::get)
          .description("The provider's circuit breaker on this node: 0 closed, 1 open, 2 half-open").register(registry);
    }

    /** Registers {@code outcomes} at 0, so rates exist before the first of each. */
    public void outcomes(Iterable<String> outcomes) {
      outcomes.forEach(o -> request(o, 0));
    }

    /** Counts one question by how it ended. */
    public void request(String outcome) {
      request(outcome, 1);
    }

    private void request(String outcome, int count) {
      Counter.builder("chatroom.ai.requests").description("Questions to the assistant by outcome")
          .tags("outcome", outcome).register(registry).increment(count);
    }

    public void duration(long nanos) {
      duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void firstToken(long nanos) {
      firstToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void tokens(long in, long out) {
      tokensIn.increment(in);
      tokensOut.increment(out);
    }

    public void breakerState(int state) {
      breakerState.set(state);
    }
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
