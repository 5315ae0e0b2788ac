package io.chatroom.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.chatroom.monitor.AlertEvent.State;
import io.chatroom.monitor.AlertRule.Op;
import io.chatroom.monitor.AlertRule.Severity;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drives the alert state machine with hand-made samples; time is only the samples' timestamps. */
class AlertEngineTest {
  private static final long SEC = 1_000;
  private static final long MIN = 60 * SEC;

  private static AlertRule rule(String name, Figure figure, Op op, double threshold, Duration forDuration,
      Severity severity, Duration cooldown) {
    return new AlertRule(name, figure, op, threshold, forDuration, severity, cooldown, name + " summary");
  }

  private static AlertRule cpuAbove90For2m() {
    return rule("HighCpu", Figure.CPU_PERCENT, Op.ABOVE, 90, Duration.ofMinutes(2), Severity.CRITICAL,
        Duration.ofMinutes(30));
  }

  private static Sample at(long timestamp, Figure figure, double value) {
    Map<Figure, Double> figures = new EnumMap<>(Figure.class);
    figures.put(figure, value);
    return new Sample(timestamp, figures);
  }

  private static Sample at(long timestamp, Map<Figure, Double> figures) {
    return new Sample(timestamp, figures);
  }

  @Test
  void aConditionHeldForLessThanForStaysPending() {
    AlertEngine engine = new AlertEngine(List.of(cpuAbove90For2m()));

    assertThat(engine.evaluate(at(0, Figure.CPU_PERCENT, 95))).isEmpty();
    assertThat(engine.evaluate(at(MIN, Figure.CPU_PERCENT, 96))).isEmpty();
    assertThat(engine.evaluate(at(2 * MIN - 1, Figure.CPU_PERCENT, 97))).isEmpty();
    assertThat(engine.active()).isEmpty();
    assertThat(engine.firing(Severity.CRITICAL)).isZero();

    List<AlertEvent> events = engine.evaluate(at(2 * MIN, Figure.CPU_PERCENT, 98));
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.state()).isEqualTo(State.FIRING);
      assertThat(e.value()).isEqualTo(98.0);
    });
  }

  @Test
  void newRulesKeepTheStateOfRulesThatStayAndDropTheOthers() {
    AlertEngine engine = new AlertEngine(List.of(cpuAbove90For2m()));
    engine.evaluate(at(0, Figure.CPU_PERCENT, 95));
    assertThat(engine.evaluate(at(2 * MIN, Figure.CPU_PERCENT, 95))).singleElement().extracting(AlertEvent::state).isEqualTo(State.FIRING);

    AlertRule memory = rule("HighMemory", Figure.MEMORY_PERCENT, Op.ABOVE, 90, Duration.ZERO, Severity.WARNING, Duration.ofMinutes(30));
    engine.setRules(List.of(cpuAbove90For2m(), memory));
    Map<Figure, Double> both = new EnumMap<>(Figure.class);
    both.put(Figure.CPU_PERCENT, 95.0);
    both.put(Figure.MEMORY_PERCENT, 95.0);
    assertThat(engine.evaluate(at(3 * MIN, both))).as("HighCpu was firing already: no second notification")
        .extracting(AlertEvent::rule, AlertEvent::state).containsExactly(tuple("HighMemory", State.FIRING));
    assertThat(engine.firing(Severity.CRITICAL)).isEqualTo(1);

    engine.setRules(List.of(memory));
    assertThat(engine.rules()).containsExactly(memory);
    assertThat(engine.firing(Severity.CRITICAL)).as("a removed rule is forgotten").isZero();
    assertThat(engine.active()).extracting(m -> m.get("rule")).containsExactly("HighMemory");
  }

  @Test
  void aSpikeThatClearsBeforeForNeverFiresAndRestartsTheClock() {
    AlertEngine engine = new AlertEngine(List.of(cpuAbove90For2m()));

    assertThat(engine.evaluate(at(0, Figure.CPU_PERCENT, 99))).isEmpty();
    assertThat(engine.evaluate(at(90 * SEC, Figure.CPU_PERCENT, 40))).isEmpty();
    // holds again from 100 s: 2 min after the first spike is not 2 min of holding
    assertThat(engine.evaluate(at(100 * SEC, Figure.CPU_PERCENT, 99))).isEmpty();
    assertThat(engine.evaluate(at(150 * SEC, Figure.CPU_PERCENT, 99))).isEmpty();
    assertThat(engine.evaluate(at(219 * SEC, Figure.CPU_PERCENT, 99))).isEmpty();
    assertThat(engine.active()).isEmpty();

    assertThat(engine.evaluate(at(220 * SEC, Figure.CPU_PERCENT, 99)))
        .extracting(AlertEvent::state).containsExactly(State.FIRING);
  }

  @Test
  void holdingForTheDurationFiresExactlyOnce() {
    AlertEngine engine = new AlertEngine(List.of(cpuAbove90For2m()));
    engine.evaluate(at(0, Figure.CPU_PERCENT, 95));
    engine.evaluate(at(MIN, Figure.CPU_PERCENT, 95));

    List<AlertEvent> fired = engine.evaluate(at(2 * MIN, Figure.CPU_PERCENT, 97.5));
    assertThat(fired).containsExactly(new AlertEvent("HighCpu", Severity.CRITICAL, State.FIRING, Figure.CPU_PERCENT,
        97.5, 90, "HighCpu summary", true, 2 * MIN));

    for (long t = 3 * MIN; t <= 60 * MIN; t += MIN) {
      assertThat(engine.evaluate(at(t, Figure.CPU_PERCENT, 99))).as("at %d ms", t).isEmpty();
    }
    assertThat(engine.firing(Severity.CRITICAL)).isEqualTo(1);
  }

  @Test
  void clearingYieldsOneResolvedEvent() {
    AlertEngine engine = new AlertEngine(List.of(cpuAbove90For2m()));
    engine.evaluate(at(0, Figure.CPU_PERCENT, 95));
    assertThat(engine.evaluate(at(2 * MIN, Figure.CPU_PERCENT, 95))).hasSize(1);

    List<AlertEvent> resolved = engine.evaluate(at(3 * MIN, Figure.CPU_PERCENT, 42));
    assertThat(resolved).containsExactly(new AlertEvent("HighCpu", Severity.CRITICAL, State.RESOLVED,
        Figure.CPU_PERCENT, 42, 90, "HighCpu summary", true, 3 * MIN));
    assertThat(engine.active()).isEmpty();
    assertThat(engine.firing(Severity.CRITICAL)).isZero();

    assertThat(engine.evaluate(at(4 * MIN, Figure.CPU_PERCENT, 41))).isEmpty();
    assertThat(engine.evaluate(at(5 * MIN, Figure.CPU_PERCENT, 40))).isEmpty();
  }

  @Test
  void aRuleWithForZeroFiresOnTheFirstSample() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Now", Figure.MEMORY_PERCENT, Op.ABOVE, 85, Duration.ZERO, Severity.WARNING, Duration.ofMinutes(30))));

    assertThat(engine.evaluate(at(1_000, Figure.MEMORY_PERCENT, 86)))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.state()).isEqualTo(State.FIRING);
          assertThat(e.notified()).isTrue();
          assertThat(e.timestamp()).isEqualTo(1_000);
        });
  }

  @Test
  void theThresholdItselfDoesNotHold() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Above", Figure.CPU_PERCENT, Op.ABOVE, 90, Duration.ZERO, Severity.WARNING, Duration.ZERO),
        rule("Below", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ZERO, Severity.WARNING, Duration.ZERO)));

    assertThat(engine.evaluate(at(0, Map.of(Figure.CPU_PERCENT, 90.0, Figure.DISK_FREE_BYTES, 1e9)))).isEmpty();
    assertThat(engine.active()).isEmpty();
  }

  @Test
  void cooldownHoldsBackRepeatedNotificationsButNotTheEvents() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Mem", Figure.MEMORY_PERCENT, Op.ABOVE, 85, Duration.ZERO, Severity.WARNING, Duration.ofMinutes(10))));

    AlertEvent first = single(engine.evaluate(at(0, Figure.MEMORY_PERCENT, 90)));
    assertThat(first.state()).isEqualTo(State.FIRING);
    assertThat(first.notified()).isTrue();
    AlertEvent firstResolved = single(engine.evaluate(at(MIN, Figure.MEMORY_PERCENT, 50)));
    assertThat(firstResolved.state()).isEqualTo(State.RESOLVED);
    assertThat(firstResolved.notified()).isTrue();

    // within 10 minutes of the last notification: still reported, but not notified, and neither is its end
    AlertEvent refire = single(engine.evaluate(at(2 * MIN, Figure.MEMORY_PERCENT, 91)));
    assertThat(refire.state()).isEqualTo(State.FIRING);
    assertThat(refire.notified()).isFalse();
    assertThat(engine.firing(Severity.WARNING)).isEqualTo(1);
    AlertEvent refireResolved = single(engine.evaluate(at(3 * MIN, Figure.MEMORY_PERCENT, 50)));
    assertThat(refireResolved.state()).isEqualTo(State.RESOLVED);
    assertThat(refireResolved.notified()).isFalse();

    // 11 minutes after the last notification: notified again, and so is its resolution
    AlertEvent later = single(engine.evaluate(at(11 * MIN, Figure.MEMORY_PERCENT, 92)));
    assertThat(later.state()).isEqualTo(State.FIRING);
    assertThat(later.notified()).isTrue();
    AlertEvent laterResolved = single(engine.evaluate(at(12 * MIN, Figure.MEMORY_PERCENT, 50)));
    assertThat(laterResolved.state()).isEqualTo(State.RESOLVED);
    assertThat(laterResolved.notified()).isTrue();

    // and that notification starts a new cooldown
    assertThat(single(engine.evaluate(at(13 * MIN, Figure.MEMORY_PERCENT, 93))).notified()).isFalse();
  }

  @Test
  void activeListsFiringRulesAndFiringCountsThemBySeverity() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("CpuCritical", Figure.CPU_PERCENT, Op.ABOVE, 90, Duration.ZERO, Severity.CRITICAL, Duration.ZERO),
        rule("CpuWarning", Figure.CPU_PERCENT, Op.ABOVE, 80, Duration.ZERO, Severity.WARNING, Duration.ZERO),
        rule("MemWarning", Figure.MEMORY_PERCENT, Op.ABOVE, 85, Duration.ZERO, Severity.WARNING, Duration.ZERO),
        rule("DiskFree", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ZERO, Severity.CRITICAL, Duration.ZERO)));

    engine.evaluate(at(0, Map.of(Figure.CPU_PERCENT, 95.5, Figure.MEMORY_PERCENT, 90.0, Figure.DISK_FREE_BYTES, 5e9)));

    assertThat(engine.firing(Severity.CRITICAL)).isEqualTo(1);
    assertThat(engine.firing(Severity.WARNING)).isEqualTo(2);
    List<Map<String, Object>> active = engine.active();
    assertThat(active).extracting(m -> m.get("rule")).containsExactly("CpuCritical", "CpuWarning", "MemWarning");
    assertThat(active.get(0))
        .containsEntry("severity", "critical")
        .containsEntry("condition", "cpu_percent > 90")
        .containsEntry("value", 95.5)
        .containsEntry("since", "1970-01-01T00:00:00Z");
    assertThat(active.get(2)).containsEntry("severity", "warning").containsEntry("condition", "memory_percent > 85");

    engine.evaluate(at(MIN,
        Map.of(Figure.CPU_PERCENT, 85.0, Figure.MEMORY_PERCENT, 90.0, Figure.DISK_FREE_BYTES, 5e8)));

    assertThat(engine.firing(Severity.CRITICAL)).isEqualTo(1);
    assertThat(engine.firing(Severity.WARNING)).isEqualTo(2);
    assertThat(engine.active()).extracting(m -> m.get("rule")).containsExactly("CpuWarning", "MemWarning", "DiskFree");
    assertThat(engine.active().get(2)).containsEntry("condition", "disk_free_bytes < 1000000000")
        .containsEntry("since", "1970-01-01T00:01:00Z");
  }

  @Test
  void nanNeverFiresAboveOrBelow() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Above", Figure.DISK_PERCENT, Op.ABOVE, 95, Duration.ZERO, Severity.WARNING, Duration.ZERO),
        rule("Below", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ZERO, Severity.CRITICAL, Duration.ZERO)));

    for (long t = 0; t <= 10 * MIN; t += MIN) {
      assertThat(engine.evaluate(at(t, Map.of(Figure.DISK_PERCENT, Double.NaN, Figure.DISK_FREE_BYTES, Double.NaN))))
          .as("at %d ms", t).isEmpty();
    }
    assertThat(engine.active()).isEmpty();
    assertThat(engine.firing(Severity.WARNING) + engine.firing(Severity.CRITICAL)).isZero();
  }

  @Test
  void aFigureMissingFromTheSampleNeverFires() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Below", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ZERO, Severity.CRITICAL, Duration.ZERO)));

    assertThat(engine.evaluate(at(0, Figure.CPU_PERCENT, 10))).isEmpty();
    assertThat(engine.active()).isEmpty();
  }

  @Test
  void aSampleWithNoFiguresAtAllFiresNothing() {
    // a sample is a record anyone can build; one with no figures must simply hold nothing
    AlertEngine engine = new AlertEngine(List.of(
        rule("Below", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ZERO, Severity.CRITICAL, Duration.ZERO)));

    assertThat(engine.evaluate(new Sample(0, Map.of()))).isEmpty();
  }

  @Test
  void belowFiresUnderTheThresholdAndResolvesOverIt() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("DiskFreeLow", Figure.DISK_FREE_BYTES, Op.BELOW, 1e9, Duration.ofSeconds(30), Severity.CRITICAL,
            Duration.ofMinutes(30))));

    assertThat(engine.evaluate(at(0, Figure.DISK_FREE_BYTES, 2e9))).isEmpty();
    assertThat(engine.evaluate(at(10 * SEC, Figure.DISK_FREE_BYTES, 5e8))).isEmpty();
    AlertEvent fired = single(engine.evaluate(at(40 * SEC, Figure.DISK_FREE_BYTES, 4e8)));
    assertThat(fired.state()).isEqualTo(State.FIRING);
    assertThat(fired.figure()).isEqualTo(Figure.DISK_FREE_BYTES);
    assertThat(fired.value()).isEqualTo(4e8);
    assertThat(fired.threshold()).isEqualTo(1e9);

    AlertEvent resolved = single(engine.evaluate(at(50 * SEC, Figure.DISK_FREE_BYTES, 3e9)));
    assertThat(resolved.state()).isEqualTo(State.RESOLVED);
  }

  @Test
  void rulesAreEvaluatedIndependently() {
    AlertEngine engine = new AlertEngine(List.of(
        rule("Cpu", Figure.CPU_PERCENT, Op.ABOVE, 90, Duration.ofMinutes(1), Severity.CRITICAL, Duration.ZERO),
        rule("Mem", Figure.MEMORY_PERCENT, Op.ABOVE, 85, Duration.ZERO, Severity.WARNING, Duration.ZERO),
        rule("Conn", Figure.OPEN_CONNECTIONS, Op.ABOVE, 100, Duration.ZERO, Severity.WARNING, Duration.ZERO)));

    // memory fires at once; CPU is only pending; connections are fine
    assertThat(engine.evaluate(at(0, Map.of(Figure.CPU_PERCENT, 95.0, Figure.MEMORY_PERCENT, 90.0,
        Figure.OPEN_CONNECTIONS, 10.0))))
        .extracting(AlertEvent::rule, AlertEvent::state)
        .containsExactly(tuple("Mem", State.FIRING));

    // memory resolving neither resets CPU's pending clock nor touches connections
    assertThat(engine.evaluate(at(30 * SEC, Map.of(Figure.CPU_PERCENT, 95.0, Figure.MEMORY_PERCENT, 50.0,
        Figure.OPEN_CONNECTIONS, 10.0))))
        .extracting(AlertEvent::rule, AlertEvent::state)
        .containsExactly(tuple("Mem", State.RESOLVED));

    // CPU's minute is up while memory and connections both fire: events come in rule order
    assertThat(engine.evaluate(at(60 * SEC, Map.of(Figure.CPU_PERCENT, 95.0, Figure.MEMORY_PERCENT, 90.0,
        Figure.OPEN_CONNECTIONS, 150.0))))
        .extracting(AlertEvent::rule, AlertEvent::state)
        .containsExactly(
            tuple("Cpu", State.FIRING),
            tuple("Mem", State.FIRING),
            tuple("Conn", State.FIRING));
    assertThat(engine.firing(Severity.CRITICAL)).isEqualTo(1);
    assertThat(engine.firing(Severity.WARNING)).isEqualTo(2);

    // only connections clear
    assertThat(engine.evaluate(at(90 * SEC, Map.of(Figure.CPU_PERCENT, 95.0, Figure.MEMORY_PERCENT, 90.0,
        Figure.OPEN_CONNECTIONS, 50.0))))
        .extracting(AlertEvent::rule, AlertEvent::state)
        .containsExactly(tuple("Conn", State.RESOLVED));
    assertThat(engine.active()).extracting(m -> m.get("rule")).containsExactly("Cpu", "Mem");
  }

  private static AlertEvent single(List<AlertEvent> events) {
    assertThat(events).hasSize(1);
    return events.get(0);
  }
}
