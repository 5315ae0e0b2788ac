package io.chatroom.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatroom.monitor.LoadShedder.Load;
import io.chatroom.monitor.LoadShedder.Thresholds;
import io.chatroom.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadShedderTest {
  private static final long COOLDOWN_MS = 30_000;
  private static final int MAX_CONNECTIONS = 100;
  private static final Load CALM = new Load(40, 50, 10);

  private final AtomicReference<Load> load = new AtomicReference<>(CALM);
  private Metrics metrics;
  private LoadShedder shedder;

  @BeforeEach
  void setUp() {
    metrics = new Metrics();
    shedder = new LoadShedder(load::get, new Thresholds(90, 95, MAX_CONNECTIONS, COOLDOWN_MS), metrics);
  }

  @AfterEach
  void tearDown() {
    metrics.close();
  }

  private double actions(String action) {
    Counter c = metrics.registry().find("chatroom.load.shedding.actions").tag("action", action).counter();
    return c == null ? 0 : c.count();
  }

  private double activeGauge() {
    return metrics.registry().get("chatroom.load.shedding.active").gauge().value();
  }

  private void assertShedding() {
    assertThat(shedder.active()).isTrue();
    assertThat(shedder.frameCost()).isEqualTo(2);
    assertThat(shedder.historyLimit(null)).isEqualTo(20);
    assertThat(shedder.historyLimit(100)).isEqualTo(20);
    assertThat(shedder.historyLimit(5)).isEqualTo(5);
    assertThat(activeGauge()).isEqualTo(1.0);
  }

  private void assertNotShedding() {
    assertThat(shedder.active()).isFalse();
    assertThat(shedder.frameCost()).isEqualTo(1);
    assertThat(shedder.historyLimit(null)).isNull();
    assertThat(shedder.historyLimit(100)).isEqualTo(100);
    assertThat(shedder.historyLimit(5)).isEqualTo(5);
    assertThat(activeGauge()).isEqualTo(0.0);
  }

  @Test
  void atTheCpuAndMemoryThresholdsNothingIsShed() {
    // the thresholds are "above which" the node sheds, so that 100 turns the check off
    load.set(new Load(90, 95, MAX_CONNECTIONS - 1));
    shedder.evaluate(0);

    assertNotShedding();
    assertThat(shedder.admitConnection()).isTrue();
    assertThat(actions("refuse_connection")).isZero();
    assertThat(actions("tighten_rate_limit")).isZero();
  }

  @Test
  void cpuOverTheThresholdShedsLoad() {
    load.set(new Load(90.5, 10, 0));
    assertNotShedding(); // nothing changes before evaluate
    shedder.evaluate(0);

    assertShedding();
    assertThat(shedder.admitConnection()).isFalse();
    assertThat(actions("refuse_connection")).isEqualTo(1.0);
    assertThat(shedder.admitConnection()).isFalse();
    assertThat(actions("refuse_connection")).isEqualTo(2.0);
    assertThat(actions("tighten_rate_limit")).isEqualTo(1.0);
    assertThat(actions("shrink_history_page")).isEqualTo(1.0);
  }

  @Test
  void stayingOverloadedCountsTheSwitchOnlyOnce() {
    load.set(new Load(99, 10, 0));
    shedder.evaluate(0);
    shedder.evaluate(1_000);
    shedder.evaluate(2_000);

    assertShedding();
    assertThat(actions("tighten_rate_limit")).isEqualTo(1.0);
    assertThat(actions("shrink_history_page")).isEqualTo(1.0);
  }

  @Test
  void memoryOverTheThresholdShedsLoad() {
    load.set(new Load(10, 95.1, 0));
    shedder.evaluate(0);

    assertShedding();
    assertThat(shedder.admitConnection()).isFalse();
  }

  @Test
  void aThresholdOf100TurnsTheCpuAndMemoryChecksOff() {
    LoadShedder off = new LoadShedder(load::get, new Thresholds(100, 100, MAX_CONNECTIONS, COOLDOWN_MS), metrics);
    load.set(new Load(100, 100, 0));
    off.evaluate(0);

    assertThat(off.active()).isFalse();
    assertThat(off.admitConnection()).isTrue();
  }

  @Test
  void carryingMaxConnectionsShedsLoad() {
    load.set(new Load(10, 10, MAX_CONNECTIONS));
    shedder.evaluate(0);

    assertShedding();
    assertThat(shedder.admitConnection()).isFalse();
    assertThat(actions("refuse_connection")).isEqualTo(1.0);
  }

  @Test
  void aFullNodeRefusesConnectionsEvenBeforeEvaluating() {
    LoadShedder small = new LoadShedder(load::get, new Thresholds(90, 95, 2, COOLDOWN_MS), metrics);
    metrics.connectionOpened();
    assertThat(small.admitConnection()).isTrue();
    metrics.connectionOpened();

    assertThat(small.active()).isFalse();
    assertThat(small.admitConnection()).isFalse();
    assertThat(actions("refuse_connection")).isEqualTo(1.0);
  }

  @Test
  void itRevertsOnlyAfterTheLoadHasBeenClearForTheCooldown() {
    load.set(new Load(95, 10, 0));
    shedder.evaluate(0);
    assertShedding();

    load.set(CALM);
    shedder.evaluate(5_000);
    assertShedding();
    shedder.evaluate(5_000 + COOLDOWN_MS - 1);
    assertShedding();
    assertThat(shedder.admitConnection()).isFalse();

    shedder.evaluate(5_000 + COOLDOWN_MS);
    assertNotShedding();
    assertThat(shedder.admitConnection()).isTrue();
  }

  @Test
  void anOverloadDuringTheCooldownRestartsIt() {
    load.set(new Load(95, 10, 0));
    shedder.evaluate(0);

    load.set(CALM);
    shedder.evaluate(1_000);
    shedder.evaluate(20_000);
    load.set(new Load(10, 99, 0));
    shedder.evaluate(25_000);
    assertShedding();

    load.set(CALM);
    shedder.evaluate(26_000);
    shedder.evaluate(1_000 + COOLDOWN_MS); // the first clear period would have ended here
    assertShedding();
    shedder.evaluate(26_000 + COOLDOWN_MS - 1);
    assertShedding();
    shedder.evaluate(26_000 + COOLDOWN_MS);
    assertNotShedding();
    // it never switched off in between, so the switch-on was counted once
    assertThat(actions("tighten_rate_limit")).isEqualTo(1.0);
  }

  @Test
  void aNewOverloadAfterRevertingSwitchesItOnAgain() {
    load.set(new Load(95, 10, 0));
    shedder.evaluate(0);
    load.set(CALM);
    shedder.evaluate(1_000);
    shedder.evaluate(1_000 + COOLDOWN_MS);
    assertNotShedding();

    load.set(new Load(95, 10, 0));
    shedder.evaluate(40_000);
    assertShedding();
    assertThat(actions("tighten_rate_limit")).isEqualTo(2.0);
    assertThat(actions("shrink_history_page")).isEqualTo(2.0);
  }

  @Test
  void retryAfterIsTheCooldownInWholeSecondsAtLeastOne() {
    assertThat(shedder.retryAfterSeconds()).isEqualTo(30);
    assertThat(new LoadShedder(load::get, new Thresholds(90, 95, 10, 120_000), metrics).retryAfterSeconds())
        .isEqualTo(120);
    assertThat(new LoadShedder(load::get, new Thresholds(90, 95, 10, 500), metrics).retryAfterSeconds())
        .isEqualTo(1);
    assertThat(new LoadShedder(load::get, new Thresholds(90, 95, 10, 0), metrics).retryAfterSeconds())
        .isEqualTo(1);
  }
}
