package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  private static final Machine MACHINE =
      new Machine("AMD EPYC 7B13", 2, 24L * 1024 * 1024 * 1024, "Linux 6.1 amd64", "17.0.16", "v20.19.2");

  private static Step step(double offered, double deliveries, double cpu, double p99, boolean saturated) {
    return new Step(offered, deliveries, 10, cpu, new Latency(5_000, p99 / 4, p99 / 2, p99, p99 * 3), saturated);
  }

  private static ScenarioResult rooms(String server, double deliveries, double perCpu, long duplicated) {
    return new ScenarioResult("rooms", server, Map.of("clients", 2000, "room_size", 10),
        List.of(step(10_000, deliveries, 8, 2.5, false), step(40_000, deliveries * 1.1, Double.NaN, 180, true)),
        Map.of(Figures.DELIVERIES_PER_SEC, deliveries, Figures.DELIVERIES_PER_CPU_SECOND, perCpu,
            Figures.P99_MS_AT_70_PERCENT, 2.5),
        0, duplicated, List.of());
  }

  private static final ScenarioResult IDLE = new ScenarioResult("idle", "chatroom", Map.of("connections", 10_000),
      List.of(), Map.of(Figures.CONNECTIONS, 10_000.0, Figures.MEMORY_BYTES_PER_CONNECTION, 12_390.0), 2, 1,
      List.of("heap measured after a full GC", "RSS includes the JIT's code cache"));

  private static final BenchRun RUN = new BenchRun(Instant.parse("2026-11-26T10:15:42Z"), MACHINE,
      "chatroom bench compare rooms idle",
      List.of(rooms("chatroom", 250_000, Double.NaN, 0), rooms("socketio", 100_000, 40_000, 3), IDLE));

  @Test
  void theComparisonShowsChatroomOverSocketIoForEachFigure() {
    String md = BenchReport.markdown(RUN);

    assertThat(md).contains("| figure | chatroom | Socket.IO 4.8.4 | ratio |")
        .contains("| deliveries/s (sustained) | 250,000 | 100,000 | 2.50× |")
        .contains("| p99 at 70 % of sustained load (ms) | 2.50 | 2.50 | 1.00× |")
        .contains("| lost / duplicated | 0 / 0 | 0 / 3 | — |");
    // idle ran against chatroom only: nothing to compare it with
    assertThat(md.split("\\| ratio \\|", -1)).hasSize(2);
  }

  @Test
  void aFigureThatWasNotMeasuredShowsAsADashAndHasNoRatio() {
    assertThat(BenchReport.markdown(RUN)).contains("| deliveries per server CPU-second | — | 40,000 | — |");
  }

  @Test
  void theHeaderNamesTheDateTheMachineAndTheCommand() {
    assertThat(BenchReport.markdown(RUN)).startsWith("# Benchmark, 2026-11-26 10:15 UTC\n")
        .contains("Machine: AMD EPYC 7B13, 2 cores, 24.0 GiB, Linux 6.1 amd64, Java 17.0.16, Node v20.19.2")
        .contains("Command: `chatroom bench compare rooms idle`");
  }

  @Test
  void everyResultHasItsOwnSectionWithSortedParametersAndItsSteps() {
    String md = BenchReport.markdown(RUN);

    assertThat(md).contains("### rooms — chatroom\n\nclients=2000, room_size=10\n")
        .contains("### rooms — Socket.IO 4.8.4\n")
        .contains("| offered msgs/s | deliveries/s | server CPU (cores) | deliveries per CPU-s | p50 ms | p95 ms "
            + "| p99 ms | max ms | |")
        .contains("| 10,000 | 250,000 | 0.80 | 312,500 | 0.63 | 1.25 | 2.50 | 7.50 |  |\n")
        .contains("| 40,000 | 275,000 | — | — | 45.0 | 90.0 | 180.0 | 540.0 | saturated |\n");
  }

  @Test
  void figuresUseTheirUnitsAndLossesAndNotesAreListed() {
    String md = BenchReport.markdown(RUN);

    assertThat(md).contains("### idle — chatroom\n\nconnections=10000\n")
        .contains("| connections | 10,000 |\n| memory per connection (KiB) | 12.1 |\n")
        .contains("Deliveries lost: 2, duplicated: 1.")
        .contains("- heap measured after a full GC\n- RSS includes the JIT's code cache\n");
  }

  @Test
  void theMarkdownShowsTheChartOfEachSteppedScenario() {
    String md = BenchReport.markdown(RUN);

    assertThat(md).contains("![rooms](20261126-101542-rooms.svg)").doesNotContain("idle.svg");
  }

  @Test
  void notMeasuredNumbersAreNullInJson() throws Exception {
    JsonNode json = new ObjectMapper().readTree(BenchReport.json(RUN));

    assertThat(json.get("date").asText()).isEqualTo("2026-11-26T10:15:42Z");
    JsonNode chatroom = json.get("results").get(0);
    assertThat(chatroom.get("figures").get(Figures.DELIVERIES_PER_CPU_SECOND).isNull()).isTrue();
    assertThat(chatroom.get("figures").get(Figures.DELIVERIES_PER_SEC).asDouble()).isEqualTo(250_000.0);
    assertThat(chatroom.get("steps").get(1).get("server_cpu_seconds").isNull()).isTrue();
    assertThat(chatroom.get("steps").get(1).get("saturated").asBoolean()).isTrue();
  }

  @Test
  void theConsoleTableHasALinePerResultAndARatioLineForTheComparison() {
    List<String> lines = BenchReport.consoleTable(RUN).lines().toList();

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("rooms  chatroom         deliveries/s 250,000  per CPU-s —")
        .endsWith("lost 0  dup 0");
    assertThat(lines.get(1)).startsWith("rooms  Socket.IO 4.8.4  deliveries/s 100,000").endsWith("dup 3");
    assertThat(lines.get(2)).isEqualTo("rooms  ratio            deliveries/s 2.50×  per CPU-s —  p99@70% ms 1.00×");
    assertThat(lines.get(3)).startsWith("idle   chatroom         connections 10,000  mem/conn KiB 12.1");
  }

  @Test
  void writeStampsTheFilesAndRefreshesLatest(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("results");

    List<Path> written = BenchReport.write(RUN, dir);

    assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly(
        "20261126-101542-rooms-idle.json", "20261126-101542-rooms-idle.md", "20261126-101542-rooms.svg", "latest.md");
    assertThat(written).allSatisfy(p -> assertThat(p.getParent()).isEqualTo(dir));
    String md = BenchReport.markdown(RUN);
    assertThat(Files.readString(dir.resolve("latest.md"))).isEqualTo(md);
    assertThat(Files.readString(dir.resolve("20261126-101542-rooms-idle.md"))).isEqualTo(md);
    assertThat(Files.readString(dir.resolve("20261126-101542-rooms.svg"))).contains("Socket.IO 4.8.4");
  }

  @Test
  void aLaterRunReplacesLatestButKeepsTheEarlierFiles(@TempDir Path dir) throws Exception {
    BenchReport.write(RUN, dir);
    BenchRun later = new BenchRun(RUN.date().plusSeconds(3_600), MACHINE, "chatroom bench idle", List.of(IDLE));

    BenchReport.write(later, dir);

    assertThat(dir.resolve("20261126-101542-rooms-idle.json")).exists();
    assertThat(dir.resolve("20261126-111542-idle.json")).exists();
    assertThat(Files.readString(dir.resolve("latest.md"))).isEqualTo(BenchReport.markdown(later));
  }
}
