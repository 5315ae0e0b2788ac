package io.chatroom;

import io.chatroom.account.AccountService;
import io.chatroom.account.Admins;
import io.chatroom.account.TokenService;
import io.chatroom.account.User;
import io.chatroom.ai.Assistant;
import io.chatroom.ai.HotQuestions;
import io.chatroom.ai.LocalHotQuestions;
import io.chatroom.ai.OpenAiCompatibleProvider;
import io.chatroom.ai.RedisHotQuestions;
import io.chatroom.backup.BackupSchedule;
import io.chatroom.broker.Broker;
import io.chatroom.broker.LocalBroker;
import io.chatroom.broker.RedisBroker;
import io.chatroom.broker.RoomEvent;
import io.chatroom.cache.RedisSharedCache;
import io.chatroom.config.Config;
import io.chatroom.config.DatabaseUrl;
import io.chatroom.config.Observability;
import io.chatroom.gateway.Connections;
import io.chatroom.gateway.Gateway;
import io.chatroom.gateway.Services;
import io.chatroom.gateway.WebAssets;
import io.chatroom.gateway.protocol.Protocol;
import io.chatroom.gateway.protocol.ServerFrame;
import io.chatroom.limits.LocalRateLimiter;
import io.chatroom.limits.Rate;
import io.chatroom.limits.RateLimiter;
import io.chatroom.limits.RedisRateLimiter;
import io.chatroom.message.ClientMsgIds;
import io.chatroom.message.GroupCommitWriter;
import io.chatroom.message.MessageHistory;
import io.chatroom.message.MessageStore;
import io.chatroom.monitor.AlertEngine;
import io.chatroom.monitor.AlertRule;
import io.chatroom.monitor.AlertRules;
import io.chatroom.monitor.LoadShedder;
import io.chatroom.monitor.Monitor;
import io.chatroom.monitor.MonitorStore;
import io.chatroom.monitor.Notifier;
import io.chatroom.monitor.OpsRoom;
import io.chatroom.monitor.SystemProbe;
import io.chatroom.monitor.WebhookNotifier;
import io.chatroom.observability.Health;
import io.chatroom.observability.Logging;
import io.chatroom.observability.Metrics;
import io.chatroom.observability.Tracing;
import io.chatroom.presence.LocalPresenceStore;
import io.chatroom.presence.PresenceStore;
import io.chatroom.presence.RedisPresenceStore;
import io.chatroom.room.Room;
import io.chatroom.room.RoomService;
import io.chatroom.store.Database;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running chat node: the one place that knows every package and wires them together. */
public final class ChatServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
  /** Below this much free space the disk check reports DOWN: SQLite and logs are about to fail. */
  static final long DISK_LOW_BYTES = 100L * 1024 * 1024;
  /** How long a shutdown waits for sessions to take their reconnect and close. */
  static final long DRAIN_TIMEOUT_MS = 5_000;
  /** How long a shutdown waits for the answers being written to be stored as far as they got. */
  static final long AI_DRAIN_MS = 2_000;
  /** A node that stops refreshing its presence entries (it died) has its users counted out after this. */
  static final long PRESENCE_TTL_MS = 20_000;
  /**
   * How many idempotency keys the single writer holds before writing them together. At 20,000 sends a second
   * that is a write every fifth of a second; a crash leaves at most this many for the next start to recover.
   */
  static final int HELD_KEYS = 4096;
  static final long PRESENCE_HEARTBEAT_MS = 5_000;
  private static final int REDIS_POOL_SIZE = 16;
  private static final int REDIS_POOL_WAITING = 10_000;
  /** The jar's version, "dev" when run from classes. */
  public static final String VERSION = versionOf();

  private final Vertx vertx;
  private final Database database;
  private final Database replica;
  private final GroupCommitWriter writer;
  private final Broker broker;
  /** Null on a single node. */
  private final RedisSharedCache sharedCache;
  private final Metrics metrics;
  private final Tracing tracing;
  private final Health health;
  private final Monitor monitor;
  private final Connections connections;
  private final int port;
  private final Live live;
  private final Assistant assistant;

  /** What a configuration reload may change on the running node ({@link ConfigReload}). */
  private record Live(Config config, AtomicReference<Rate> wsRate, AtomicReference<Rate> apiRate, RateLimiter apiLimits) {}

  private ChatServer(Vertx vertx, Database database, Database replica, GroupCommitWriter writer, Broker broker, RedisSharedCache sharedCache,
      Metrics metrics, Tracing tracing, Health health, Monitor monitor, Connections connections, int port, Live live,
      Assistant assistant) {
    this.vertx = vertx;
    this.database = database;
    this.replica = replica;
    this.writer = writer;
    this.broker = broker;
    this.sharedCache = sharedCache;
    this.metrics = metrics;
    this.tracing = tracing;
    this.health = health;
    this.monitor = monitor;
    this.connections = connections;
    this.port = port;
    this.live = live;
    this.assistant = assistant;
  }

  /**
   * Starts a node and returns once it listens and is ready. Blocking.
   *
   * @param schema PostgreSQL schema to use (tests isolate themselves this way); null for the default
   * @throws io.chatroom.config.ConfigException when configuration, database or port is unusable
   */
  public static ChatServer start(Config config, String schema) {
    Observability obs = config.observability();
    return start(config, schema, Tracing.create(obs.otlpEndpoint(), obs.serviceName()));
  }

  /** As {@link #start(Config, String)}, with spans going to {@code exporter} (tests inspect them). */
  public static ChatServer start(Config config, String schema, SpanExporter exporter) {
    return start(config, schema, Tracing.withExporter(exporter, config.observability().serviceName()));
  }

  private static ChatServer start(Config config, String schema, Tracing tracing) {
    Observability obs = config.observability();
    Metrics metrics = new Metrics();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            // HTTP and WebSocket traffic have our own meters with route templates; Vert.x adds pools and loops
            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
            .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
            .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
            .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)))
        .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
        .build();
    Database database = null;
    Database replica = null;
    GroupCommitWriter writer = null;
    try {
      database = Database.open(vertx, config.database(), schema, metrics.registry());
      Health health = new Health(VERSION);
      Database db = database;
      health.register(new Health.Check("database", true, () -> databaseCheck(db)));
      if (config.readDatabase() != null) {
        replica = Database.openReplica(vertx, config.readDatabase(), schema, metrics.registry());
        Database readOnly = replica;
        health.register(new Health.Check("database_replica", false, () -> databaseCheck(readOnly)));
      }
      health.register(new Health.Check("disk", false, () -> diskCheck(vertx, config)));

      TokenService tokens = new TokenService(TokenService.loadOrCreateSecret(config.jwtSecret(), config.dataDir()));
      Broker broker;
      PresenceStore presence;
      RateLimiter apiLimits;
      RedisSharedCache sharedCache = null;
      // the assistant's question budget: AI_RATE_PER_MINUTE, all of it at once if need be
      double aiRate = config.ai().ratePerMinute() / 60;
      int aiBurst = (int) Math.max(1, config.ai().ratePerMinute());
      RateLimiter aiQuestions;
      HotQuestions hotQuestions;
      if (config.redisUrl() == null) {
        broker = new LocalBroker();
        presence = new LocalPresenceStore();
        apiLimits = new LocalRateLimiter(config.apiRatePerSecond(), config.apiBurst());
        aiQuestions = new LocalRateLimiter(aiRate, aiBurst);
        hotQuestions = new LocalHotQuestions();
      } else {
        // Vert.x's defaults (6 connections, 24 waiting requests) fail joins with "pool too busy" as soon as a
        // few dozen clients reconnect at once; each join makes several short Redis calls.
        Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(config.redisUrl())
            .setMaxPoolSize(REDIS_POOL_SIZE).setMaxPoolWaiting(REDIS_POOL_WAITING));
        broker = connectRedis(vertx, redis, config, health);
        RedisPresenceStore shared = new RedisPresenceStore(redis, config.redisPrefix(), PRESENCE_TTL_MS);
        Broker fanout = broker;
        shared.schedule(vertx, PRESENCE_HEARTBEAT_MS, gone -> fanout.publish(new RoomEvent(gone.room(), 0, null,
            Protocol.encode(new ServerFrame.Presence(gone.room(), gone.user(), ServerFrame.Presence.OFFLINE)))));
        presence = shared;
        apiLimits = new RedisRateLimiter(redis, config.redisPrefix(), config.apiRatePerSecond(), config.apiBurst());
        aiQuestions = new RedisRateLimiter(redis, config.redisPrefix() + ":ai", aiRate, aiBurst);
        hotQuestions = new RedisHotQuestions(redis, config.redisPrefix());
        sharedCache = new RedisSharedCache(vertx, redis, config.redisPrefix());
        await(sharedCache.start());
      }
      MessageStore store = new MessageStore(database.url().kind());
      Tracer tracer = tracing.tracer();
      AtomicReference<Assistant> answering = new AtomicReference<>(); // set once the writer it posts through exists
      // with Redis, other nodes may write the same store; alone on SQLite this writer is its only writer
      ClientMsgIds ids = config.redisUrl() == null && database.url().kind() == DatabaseUrl.Kind.SQLITE
          ? ClientMsgIds.heldBack(HELD_KEYS) : ClientMsgIds.immediate();
      writer = new GroupCommitWriter(database, store, ids, metrics, tracer, committed -> {
        publish(broker, tracer, committed);
        Assistant ai = answering.get();
        if (ai != null) {
          ai.onCommitted(committed); // here, on the committing node only: one answer per question in the cluster
        }
      });
      RoomService rooms = new RoomService(database, sharedCache, metrics);

      OpsSetup ops = database.inTransaction(c -> {
        Admins.joinOpsRoom(c, obs.adminUsers());
        return new OpsSetup(Admins.systemUser(c), RoomService.byName(c, Admins.OPS_ROOM).orElseThrow(() -> new java.sql.SQLException("the ops room is missing: migration V2 did not run")));
      });
      OpsRoom opsRoom = new OpsRoom(writer, ops.room(), ops.system());
      List<Notifier> notifiers = new ArrayList<>();
      notifiers.add(opsRoom);
      if (obs.alertWebhookUrl() != null) {
        notifiers.add(new WebhookNotifier(vertx, obs.alertWebhookUrl(), WebhookNotifier.Format.GENERIC, 1_000));
      }
      if (obs.slackWebhookUrl() != null) {
        notifiers.add(new WebhookNotifier(vertx, obs.slackWebhookUrl(), WebhookNotifier.Format.SLACK, 1_000));
      }
      SystemProbe probe = new SystemProbe(config.dataDir());
      AlertEngine alerts = new AlertEngine(obs.alertRulesFile() == null
          ? AlertRules.defaults(obs.maxConnections()) : AlertRules.load(obs.alertRulesFile()));
      Monitor monitor = new Monitor(vertx, metrics, probe, database, new MonitorStore(database, obs.nodeId()), alerts,
          notifiers, obs.nodeId(), obs.monitorIntervalMs());
      LoadShedder shedder = new LoadShedder(
          // the busier of the machine and this process's own share of the cores it may use (taskset, a quota)
          () -> new LoadShedder.Load(Math.max(probe.cpuPercent(), probe.processSharePercent()), probe.memoryPercent(),
              metrics.connectionsActive()),
          new LoadShedder.Thresholds(obs.shedCpuPercent(), obs.shedMemoryPercent(), obs.maxConnections(), obs.shedCooldownMs()),
          metrics);

      Connections connections = new Connections();
      Assistant assistant = new Assistant(vertx, config.ai(), new OpenAiCompatibleProvider(vertx, config.ai()),
          database.inTransaction(Assistant::userId), assistantChat(database, store, writer, broker, connections), aiQuestions,
          sharedCache, hotQuestions, metrics);
      answering.set(assistant);
      AtomicReference<Rate> wsRate = new AtomicReference<>(new Rate(config.wsRatePerSecond(), config.wsBurst()));
      Services services = new Services(config, database, new AccountService(vertx, database, tokens, obs.adminUsers(), sharedCache, metrics),
          rooms, new MessageHistory(database, replica == null ? database : replica, store), writer, broker, presence,
          metrics, tracer, health, shedder, monitor, opsRoom, WebAssets.load(), connections, apiLimits, wsRate::get, hotQuestions);
      int port = await(Gateway.deploy(vertx, services));
      await(monitor.start());
      BackupSchedule.start(vertx, config, schema, metrics.registry());
      vertx.setPeriodic(obs.shedCheckIntervalMs(), id -> vertx.executeBlocking(() -> {
        shedder.evaluate(System.currentTimeMillis());
        return null;
      }, false));
      health.state(Health.State.READY);
      log.info("chatroom listening on {}:{} with {}", config.host(), port, config.database().display());
      return new ChatServer(vertx, database, replica, writer, broker, sharedCache, metrics, tracing, health, monitor, connections, port,
          new Live(config, wsRate, new AtomicReference<>(new Rate(config.apiRatePerSecond(), config.apiBurst())), apiLimits), assistant);
    } catch (Exception e) {
      if (writer != null) {
        writer.close();
      }
      if (database != null) {
        database.close();
      }
      if (replica != null) {
        replica.close();
      }
      vertx.close();
      tracing.close();
      metrics.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("start-up failed", cause);
    }
  }

  private record OpsSetup(User system, Room room) {}

  private static Broker connectRedis(Vertx vertx, Redis client, Config config, Health health) throws Exception {
    String shown = config.redisDisplay();
    try {
      RedisBroker broker = await(RedisBroker.connect(vertx, client, config.redisPrefix()));
      health.register(new Health.Check("redis", false, () -> client.send(Request.cmd(Command.PING)).map(pong -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "UP");
        return m;
      })));
      log.info("fan-out across nodes through {}", shown);
      return broker;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      client.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new io.chatroom.config.ConfigException("REDIS_URL", "cannot connect to " + shown + " (" + cause.getMessage() + ")",
          "check that Redis runs and is reachable, or unset REDIS_URL to run a single node");
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Future<Map<String, Object>> databaseCheck(Database db) {
    long start = System.nanoTime();
    return db.ping().map(ok -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", "UP");
      m.put("kind", db.url().kind().name().toLowerCase(java.util.Locale.ROOT));
      m.put("latency_ms", (System.nanoTime() - start) / 1_000_000.0);
      return m;
    });
  }

  private static Future<Map<String, Object>> diskCheck(Vertx vertx, Config config) {
    return vertx.executeBlocking(() -> {
      Map<String, Object> m = new LinkedHashMap<>();
      try {
        FileStore store = Files.getFileStore(config.dataDir());
        long free = store.getUsableSpace();
        m.put("status", free >= DISK_LOW_BYTES ? "UP" : "DOWN");
        m.put("path", config.dataDir().toString());
        m.put("free_bytes", free);
        m.put("total_bytes", store.getTotalSpace());
      } catch (IOException e) {
        m.put("status", "DOWN");
        m.put("error", e.getMessage());
      }
      return m;
    }, false);
  }

  /**
   * Serializes each committed message once; every subscriber on every node receives these same bytes. The
   * fan-out span covers encoding and the hand-off to each event loop, in the message's own trace.
   */
  private static void publish(Broker broker, Tracer tracer, List<GroupCommitWriter.Committed> committed) {
    for (GroupCommitWriter.Committed c : committed) {
      Span span = tracer.spanBuilder("fanout").setParent(c.trace()).setAttribute("chat.room", c.message().room()).startSpan();
      try {
        broker.publish(new RoomEvent(c.message().room(), c.message().seq(), null,
            Protocol.encode(ServerFrame.MessageEvent.of(c.message()))));
      } finally {
        span.end();
      }
    }
  }

  /** The assistant's view of the chat: the primary's history, the group commit, the broker, and this node's sessions. */
  private static Assistant.Chat assistantChat(Database database, MessageStore store, GroupCommitWriter writer, Broker broker,
      Connections connections) {
    return new Assistant.Chat() {
      @Override
      public Future<List<io.chatroom.message.Message>> before(long roomId, String room, long seq, int limit) {
        return database.read(c -> store.page(c, roomId, room, seq, null, limit));
      }

      @Override
      public Future<io.chatroom.message.Appended> post(io.chatroom.message.Draft draft) {
        return writer.append(draft);
      }

      @Override
      public void publish(String room, byte[] json) {
        broker.publish(new RoomEvent(room, 0, null, json));
      }

      @Override
      public void tell(long userId, String room, byte[] json) {
        connections.tell(userId, room, json);
      }
    };
  }

  private static String versionOf() {
    String v = ChatServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public int port() {
    return port;
  }

  public Metrics metrics() {
    return metrics;
  }

  public Health health() {
    return health;
  }

  public Monitor monitor() {
    return monitor;
  }

  /** The configuration the node started with; a reload changes only what {@link #applyLive} applies. */
  Config config() {
    return live.config();
  }

  Database database() {
    return database;
  }

  /**
   * Applies the settings a running node can change ({@link ConfigReload#LIVE}) from {@code next}, validated
   * already: the log level, the frame budget of new WebSocket connections (open ones keep theirs), the API
   * rate (see {@link RateLimiter#setRate}) and the alert rules.
   */
  void applyLive(Config next, List<AlertRule> rules) {
    Logging.setLevel(next.logLevel());
    live.wsRate().set(new Rate(next.wsRatePerSecond(), next.wsBurst()));
    Rate api = new Rate(next.apiRatePerSecond(), next.apiBurst());
    if (!api.equals(live.apiRate().getAndSet(api))) {
      live.apiLimits().setRate(api); // only on a change: a local limiter starts every key afresh
    }
    monitor.alerts().setRules(rules);
  }

  /**
   * Shuts down gracefully: turns not-ready and refuses new WebSocket sessions, sends every open session a
   * {@code reconnect} and closes it with 1012 (clients resume elsewhere with since), commits the sends
   * already queued, then closes the store. A send whose ack could not be delivered is re-sent by its client
   * with the same clientMsgId and answered as a duplicate. Blocking.
   */
  @Override
  public void close() {
    health.state(Health.State.DRAINING);
    log.info("draining: not ready, telling every session to reconnect elsewhere");
    try {
      connections.sendAllAway(vertx, DRAIN_TIMEOUT_MS).toCompletionStage().toCompletableFuture().get(DRAIN_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("some sessions did not close in time: {}", e.toString());
    }
    monitor.stop();
    assistant.close(AI_DRAIN_MS); // answers being written are stored as far as they got, while the writer still takes them
    writer.close(); // commits what is queued while the broker can still publish it
    if (broker instanceof AutoCloseable links) {
      try {
        links.close();
      } catch (Exception e) {
        log.debug("broker did not close cleanly: {}", e.toString());
      }
    }
    if (sharedCache != null) {
      sharedCache.close();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("vert.x did not close cleanly: {}", e.toString());
    }
    database.close();
    if (replica != null) {
      replica.close();
    }
    tracing.close();
    metrics.close();
    log.info("stopped cleanly");
  }
}
