package io.chatroom.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import com.zaxxer.hikari.pool.HikariPool;
import io.chatroom.config.ConfigException;
import io.chatroom.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The relational store: a connection pool, the schema (migrated at start-up), and the thread pool that
 * runs JDBC so event loops never block on it.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=FULL}: an ack promises the message survives power
 * loss, and because sends are group-committed the extra fsync is paid once per batch, not per message.
 * Transactions begin IMMEDIATE so a read-then-write transaction never fails with SQLITE_BUSY on upgrade;
 * the busy timeout makes concurrent writers wait instead.
 */
public final class Database implements AutoCloseable {
  /** Why 8: enough to overlap history reads with the writer on 2 cores; SQLite gains nothing from more. */
  private static final int POOL_SIZE = 8;

  private final DatabaseUrl url;
  private final HikariDataSource dataSource;
  private final WorkerExecutor executor;
  /** After the migration at open; null for a replica. */
  private final String schemaVersion;

  private Database(DatabaseUrl url, HikariDataSource dataSource, WorkerExecutor executor, String schemaVersion) {
    this.url = url;
    this.dataSource = dataSource;
    this.executor = executor;
    this.schemaVersion = schemaVersion;
  }

  /**
   * Where a database's schema stands against this jar's migrations.
   *
   * @param current the newest migration applied, null when none is (a new database)
   * @param latest  the newest migration this jar has
   * @param pending migrations this jar would apply
   * @param ahead   the database has migrations this jar does not know (a newer version migrated it)
   */
  public record SchemaStatus(String current, String latest, int pending, boolean ahead) {}

  /**
   * Connects, migrates the schema and returns a ready store. Blocking: call at start-up.
   *
   * @throws ConfigException when the database cannot be reached or migrated, with the reason
   */
  public static Database open(Vertx vertx, DatabaseUrl url, String schema) {
    return open(vertx, url, schema, null);
  }

  /** @param metrics where the pool reports its hikaricp_* meters; null for none */
  public static Database open(Vertx vertx, DatabaseUrl url, String schema, MeterRegistry metrics) {
    HikariConfig config = poolConfig(url, schema);
    if (metrics != null) {
      config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
    }
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      throw new ConfigException("DATABASE_URL (--database-url)", "cannot connect to " + url.display()
          + " (" + rootMessage(e) + ")", "check the URL and that the database is running and reachable");
    }
    String version;
    try {
      version = migrate(ds, url, schema);
    } catch (FlywayException e) {
      ds.close();
      throw new ConfigException("DATABASE_URL (--database-url)", "cannot migrate the schema of " + url.display()
          + " (" + rootMessage(e) + ")", "check that the user may create tables, or restore a backup");
    }
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("chatroom-db", POOL_SIZE, 30, TimeUnit.SECONDS);
    return new Database(url, ds, executor, version);
  }

  /**
   * Connects once, without a pool and without migrating, and says where the schema stands (for {@code chatroom
   * doctor}). Blocking.
   *
   * @throws ConfigException when the database cannot be reached, with the reason
   */
  public static SchemaStatus inspect(DatabaseUrl url, String schema) {
    try {
      MigrationInfoService info = flyway(url, schema).dataSource(url.jdbcUrl(), url.user(), url.password()).load().info();
      MigrationInfo current = info.current();
      String latest = null;
      boolean ahead = false;
      for (MigrationInfo m : info.all()) {
        if (m.getVersion() == null) {
          continue;
        }
        if (m.getState().isResolved()) {
          latest = m.getVersion().getVersion();
        } else if (m.getState().isApplied()) {
          ahead = true;
        }
      }
      return new SchemaStatus(current == null || current.getVersion() == null ? null : current.getVersion().getVersion(),
          latest, info.pending().length, ahead);
    } catch (FlywayException e) {
      throw new ConfigException("DATABASE_URL (--database-url)", "cannot connect to " + url.display() + " (" + rootMessage(e) + ")",
          "check the URL and that the database is running and reachable");
    }
  }

  /** The schema version (the newest migration applied) as of opening; null for a replica. */
  public String schemaVersion() {
    return schemaVersion;
  }

  /**
   * Connects to a read replica (DATABASE_READ_URL): read-only connections, no migration (the primary's
   * schema arrives by replication). Blocking: call at start-up.
   */
  public static Database openReplica(Vertx vertx, DatabaseUrl url, String schema, MeterRegistry metrics) {
    if (url.kind() != DatabaseUrl.Kind.POSTGRES) {
      throw new ConfigException("DATABASE_READ_URL", "a read replica must be PostgreSQL, not " + url.display(),
          "point it at a PostgreSQL standby of DATABASE_URL, or unset it");
    }
    HikariConfig config = poolConfig(url, schema);
    config.setPoolName("chatroom-db-read");
    config.setReadOnly(true);
    if (metrics != null) {
      config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
    }
    try {
      HikariDataSource ds = new HikariDataSource(config);
      return new Database(url, ds, vertx.createSharedWorkerExecutor("chatroom-db-read", POOL_SIZE, 30, TimeUnit.SECONDS), null);
    } catch (HikariPool.PoolInitializationException e) {
      throw new ConfigException("DATABASE_READ_URL", "cannot connect to " + url.display() + " (" + rootMessage(e) + ")",
          "check the URL and that the replica is running and reachable, or unset it");
    }
  }

  private static HikariConfig poolConfig(DatabaseUrl url, String schema) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("chatroom-db");
    hc.setMaximumPoolSize(POOL_SIZE);
    hc.setConnectionTimeout(5_000);
    hc.setInitializationFailTimeout(5_000);
    if (url.kind() == DatabaseUrl.Kind.SQLITE) {
      hc.setJdbcUrl(url.jdbcUrl());
      hc.addDataSourceProperty("journal_mode", "WAL");
      hc.addDataSourceProperty("synchronous", "FULL");
      hc.addDataSourceProperty("busy_timeout", "10000");
      hc.addDataSourceProperty("foreign_keys", "true");
      hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
      // Checkpointing every 1,000 pages made the writer copy the WAL back into the database
      // several times a second under load; every 10,000 pages cut a 250-room batch commit from
      // 15.0 to 10.5 ms (bench/jmh BatchCommit). The size limit truncates the WAL after a
      // checkpoint so it does not stay at its high-water mark. A 16 MB page cache per connection
      // (default 2 MB) keeps the message indexes resident: durable bench 8.1k -> 9.5k acks/s.
      hc.addDataSourceProperty("wal_autocheckpoint", "10000");
      hc.addDataSourceProperty("journal_size_limit", String.valueOf(64L << 20));
      hc.addDataSourceProperty("cache_size", "-16000");
    } else {
      hc.setJdbcUrl(url.jdbcUrl());
      if (url.user() != null) {
        hc.setUsername(url.user());
      }
      if (url.password() != null) {
        hc.setPassword(url.password());
      }
      if (schema != null) {
        hc.setSchema(schema);
      }
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return hc;
  }

  /** Migrates and returns the schema version reached. */
  private static String migrate(DataSource ds, DatabaseUrl url, String schema) {
    Flyway flyway = flyway(url, schema).dataSource(ds).createSchemas(true).load();
    flyway.migrate();
    MigrationInfo current = flyway.info().current();
    return current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
  }

  /** The one migration set, for either database; the caller gives the data source. */
  private static FluentConfiguration flyway(DatabaseUrl url, String schema) {
    boolean sqlite = url.kind() == DatabaseUrl.Kind.SQLITE;
    FluentConfiguration flyway = Flyway.configure()
        .locations("classpath:db/migration")
        .placeholders(Map.of(
            "id_pk", sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            // SQLite then keeps the rows in their key's B-tree instead of a table beside it: one page per key, not two
            "without_rowid", sqlite ? " WITHOUT ROWID" : ""));
    if (schema != null && !sqlite) {
      flyway.schemas(schema);
    }
    return flyway;
  }

  public DatabaseUrl url() {
    return url;
  }

  /** Runs {@code work} on a database thread with a pooled connection in auto-commit mode. */
  public <T> Future<T> read(SqlWork<T> work) {
    return executor.executeBlocking(() -> {
      try (Connection c = dataSource.getConnection()) {
        return work.apply(c);
      }
    }, false);
  }

  /** Runs {@code work} on a database thread inside one transaction, rolled back if it throws. */
  public <T> Future<T> transaction(SqlWork<T> work) {
    return executor.executeBlocking(() -> inTransaction(work), false);
  }

  /** Blocking form of {@link #transaction}, for callers already on a database thread. */
  public <T> T inTransaction(SqlWork<T> work) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.apply(c);
        c.commit();
        return result;
      } catch (Exception e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /** Succeeds when the database answers within 2 s; health checks must never hang a probe. */
  public Future<Void> ping() {
    return this.<Void>read(c -> {
      if (!c.isValid(2)) {
        throw new SQLException("connection is not valid");
      }
      return null;
    }).timeout(2, TimeUnit.SECONDS);
  }

  /** Connections in use right now, for the monitor. */
  public int activeConnections() {
    var pool = dataSource.getHikariPoolMXBean();
    return pool == null ? 0 : pool.getActiveConnections();
  }

  /** True when {@code e} reports a unique-constraint violation, on either database. */
  public boolean isUniqueViolation(SQLException e) {
    if ("23505".equals(e.getSQLState())) {
      return true;
    }
    return e instanceof SQLiteException sqlite
        && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
            || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
  }

  @Override
  public void close() {
    executor.close();
    dataSource.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }

  /** JDBC work run on a database thread. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws Exception;
  }
}
