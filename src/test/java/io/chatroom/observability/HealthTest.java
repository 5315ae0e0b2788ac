package io.chatroom.observability;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checks are bounded, and only critical ones decide readiness. */
class HealthTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  private Health.Report run(Health health) throws Exception {
    // futures time out on Vert.x timers, so run the checks on a context, as the HTTP handler does
    Promise<Health.Report> report = Promise.promise();
    vertx.runOnContext(v -> health.run().onComplete(report));
    return await(report.future());
  }

  @Test
  void aHungCriticalCheckIsReportedDownInsteadOfHangingTheProbe() throws Exception {
    Health health = new Health("test")
        .register(new Health.Check("database", true, () -> Promise.<Map<String, Object>>promise().future()))
        .register(new Health.Check("disk", false, () -> Future.succeededFuture(Map.of("status", "UP"))));
    long start = System.nanoTime();
    Health.Report report = run(health);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(Health.CHECK_TIMEOUT_MS + 3_000);
    assertThat(report.criticalUp()).isFalse();
    assertThat(report.body().get("status")).isEqualTo("DOWN");
    @SuppressWarnings("unchecked")
    Map<String, Object> checks = (Map<String, Object>) report.body().get("checks");
    assertThat(checks.get("database")).isEqualTo(Map.of("status", "DOWN", "error", "no answer within 2000 ms"));
    assertThat(checks.get("disk")).isEqualTo(Map.of("status", "UP"));
  }

  @Test
  void aFailedNonCriticalCheckDegradesButKeepsTheNodeReady() throws Exception {
    Health health = new Health("test")
        .register(new Health.Check("database", true, () -> Future.succeededFuture(Map.of("status", "UP"))))
        .register(new Health.Check("disk", false, () -> Future.failedFuture(new IllegalStateException("disk gone"))));
    Health.Report report = run(health);
    assertThat(report.criticalUp()).isTrue();
    assertThat(report.body().get("status")).isEqualTo("DEGRADED");
    assertThat(report.body().get("state")).isEqualTo("STARTING");
  }
}
