package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiguresTest {
  /** A 10 s step at this offered rate, delivering ten times as much, with the server using {@code cpu} seconds. */
  private static Step step(double offered, double cpu, double p99, boolean saturated) {
    return new Step(offered, offered * 10, 10, cpu, new Latency(1_000, p99 / 2, p99 * 0.9, p99, p99 * 2), saturated);
  }

  @Test
  void aRateOfCpuTimeIsMissingRatherThanInfiniteWhenTheCpuTimeIsUnknown() {
    assertThat(Figures.perCpuSecond(30_000, 1.5)).isEqualTo(20_000.0);
    assertThat(Figures.perCpuSecond(30_000, 0)).isNaN();
    assertThat(Figures.perCpuSecond(30_000, Double.NaN)).isNaN();

    Map<String, Double> figures = new java.util.HashMap<>();
    Figures.putMeasured(figures, Figures.ACKED_PER_CPU_SECOND, Figures.perCpuSecond(30_000, Double.NaN));
    Figures.putMeasured(figures, Figures.SERVER_CORES, 0.5);
    assertThat(figures).containsOnly(entry(Figures.SERVER_CORES, 0.5));
  }

  @Test
  void sustainedFiguresComeFromTheLastStepBeforeTheFirstSaturatedOne() {
    Map<String, Double> figures = Figures.ofSteps(List.of(
        step(1_000, 2, 1, false), step(2_000, 4, 2, false), step(4_000, 8, 30, false), step(8_000, 10, 400, true),
        step(16_000, 10, 30, false)));

    assertThat(figures).contains(
        entry(Figures.DELIVERIES_PER_SEC, 40_000.0),
        entry(Figures.DELIVERIES_PER_CPU_SECOND, 50_000.0),
        entry(Figures.SATURATION_MSGS_PER_SEC, 8_000.0));
  }

  @Test
  void p99IsTakenAtTheHighestStepNotAboveSeventyPercentOfTheSustainedRate() {
    // sustained 5,000 msgs/s: 70 % is 3,500, so the 3,000 step counts and the 4,000 one is too high
    Map<String, Double> figures = Figures.ofSteps(List.of(
        step(1_000, 1, 1, false), step(3_000, 3, 3, false), step(4_000, 4, 4, false), step(5_000, 5, 5, false),
        step(6_000, 6, 99, true)));

    assertThat(figures).containsEntry(Figures.P99_MS_AT_70_PERCENT, 3.0);
  }

  @Test
  void aStepAtExactlySeventyPercentCountsDespiteRounding() {
    Map<String, Double> figures = Figures.ofSteps(List.of(step(700, 1, 7, false), step(1_000, 1, 10, false)));

    assertThat(figures).containsEntry(Figures.P99_MS_AT_70_PERCENT, 7.0);
  }

  @Test
  void noP99FigureWhenNoStepIsLowEnough() {
    Map<String, Double> figures = Figures.ofSteps(List.of(step(1_000, 1, 1, false), step(2_000, 1, 80, true)));

    assertThat(figures).containsKey(Figures.DELIVERIES_PER_SEC).doesNotContainKey(Figures.P99_MS_AT_70_PERCENT);
  }

  @Test
  void whenEveryStepSaturatedOnlyTheSaturationPointIsKnown() {
    Map<String, Double> figures = Figures.ofSteps(List.of(step(1_000, 1, 90, true), step(2_000, 1, 200, true)));

    assertThat(figures).containsOnly(entry(Figures.SATURATION_MSGS_PER_SEC, 1_000.0));
  }

  @Test
  void noStepsGiveNoFigures() {
    assertThat(Figures.ofSteps(List.of())).isEmpty();
  }

  @Test
  void whenNoStepSaturatedThereIsNoSaturationFigureAndTheLastStepIsSustained() {
    Map<String, Double> figures = Figures.ofSteps(List.of(step(1_000, 1, 1, false), step(2_000, 2, 2, false)));

    assertThat(figures).doesNotContainKey(Figures.SATURATION_MSGS_PER_SEC)
        .containsEntry(Figures.DELIVERIES_PER_SEC, 20_000.0);
  }

  @Test
  void unknownOrZeroCpuTimeGivesNoPerCpuFigure() {
    assertThat(step(1_000, 0, 1, false).deliveriesPerCpuSecond()).isNaN();
    assertThat(step(1_000, Double.NaN, 1, false).deliveriesPerCpuSecond()).isNaN();
    assertThat(step(1_000, 4, 1, false).deliveriesPerCpuSecond()).isEqualTo(25_000.0);

    assertThat(Figures.ofSteps(List.of(step(1_000, Double.NaN, 1, false))))
        .containsKey(Figures.DELIVERIES_PER_SEC).doesNotContainKey(Figures.DELIVERIES_PER_CPU_SECOND);
    assertThat(Figures.ofSteps(List.of(step(1_000, 0, 1, false))))
        .doesNotContainKey(Figures.DELIVERIES_PER_CPU_SECOND);
  }

  @Test
  void ratioIsNaNWhenEitherSideIsMissingOrTheirsIsZero() {
    assertThat(Figures.ratio(250_000.0, 100_000.0)).isEqualTo(2.5);
    assertThat(Figures.ratio(null, 1.0)).isNaN();
    assertThat(Figures.ratio(1.0, null)).isNaN();
    assertThat(Figures.ratio(1.0, 0.0)).isNaN();
    assertThat(Figures.ratio(Double.NaN, 1.0)).isNaN();
  }

  @Test
  void perConnectionIsTheGrowthSpreadOverConnections() {
    assertThat(Figures.perConnection(1_000, 11_000, 100)).isEqualTo(100.0);
    assertThat(Figures.perConnection(1_000, 11_000, 0)).isNaN();
  }
}
