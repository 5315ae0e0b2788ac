package io.chatroom.backup;

import io.chatroom.config.Config;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own backups: every BACKUP_INTERVAL, a {@link Backup} into BACKUP_DIR on a dedicated worker
 * thread (never an event loop; one at a time: a run still going when the next is due makes that one skip).
 * Each run is logged and counted in {@code chatroom_backups_total{outcome}}; the time of the last success is
 * {@code chatroom_backup_last_success_timestamp_seconds}. The first run comes one interval after start-up, so
 * restarts do not each take a backup. With several nodes on one PostgreSQL, set the interval on one of them.
 */
public final class BackupSchedule {
  private static final Logger log = LoggerFactory.getLogger(BackupSchedule.class);
  /** Why a day: longer than any real backup, so Vert.x's blocked-thread checker only warns about a hung one. */
  private static final long MAX_RUN_HOURS = 24;

  private final Config config;
  private final String schema;
  private final Counter successes;
  private final Counter failures;
  private final AtomicLong lastSuccessSeconds = new AtomicLong();

  private BackupSchedule(Config config, String schema, MeterRegistry registry) {
    this.config = config;
    this.schema = schema;
    successes = outcome(registry, "success");
    failures = outcome(registry, "failure");
    Gauge.builder("chatroom.backup.last.success.timestamp.seconds", lastSuccessSeconds, AtomicLong::get)
        .description("Unix time of the last scheduled backup that succeeded; 0 before the first").register(registry);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("chatroom.backups").description("Scheduled backups by outcome").tag("outcome", outcome).register(registry);
  }

  /**
   * Schedules backups when {@code config} asks for them (BACKUP_INTERVAL set); otherwise does nothing. The
   * timer and the worker end when {@code vertx} closes.
   *
   * @param schema the PostgreSQL schema the node uses; null for the default
   */
  public static void start(Vertx vertx, Config config, String schema, MeterRegistry registry) {
    Duration interval = config.backups().interval();
    if (interval == null) {
      return;
    }
    BackupSchedule schedule = new BackupSchedule(config, schema, registry);
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("chatroom-backup", 1, MAX_RUN_HOURS, TimeUnit.HOURS);
    AtomicBoolean running = new AtomicBoolean();
    vertx.setPeriodic(interval.toMillis(), id -> {
      if (!running.compareAndSet(false, true)) {
        log.warn("scheduled backup skipped: the previous one is still running");
        return;
      }
      worker.executeBlocking(() -> {
        schedule.runOnce();
        return null;
      }, false).onComplete(done -> running.set(false));
    });
    log.info("backing up every {} into {}, keeping {} days", interval, config.backups().dir(), config.backups().keepDays());
  }

  private void runOnce() {
    try {
      Backup.Result r = Backup.take(config.database(), schema, config.backups().dir(), Duration.ofDays(config.backups().keepDays()), false);
      successes.increment();
      lastSuccessSeconds.set(System.currentTimeMillis() / 1000);
      log.info("backup written: {} ({}, {} bytes, {}) in {} ms; {} old backup files deleted", r.file(), r.kind(), r.bytes(),
          r.contents(), r.took().toMillis(), r.deleted().size());
    } catch (RuntimeException e) {
      failures.increment();
      if (e instanceof BackupException) {
        log.error("scheduled backup failed: {}", e.getMessage());
      } else {
        log.error("scheduled backup failed", e);
      }
    }
  }
}
