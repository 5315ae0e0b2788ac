package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.cluster.Executables;
import io.chatroom.testing.Cli;
import io.chatroom.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario, end to end at a tiny scale: the bench starts a real server JVM (and, for compare, the Socket.IO
 * peer), drives it, and writes its results. Asserts what must hold at any scale (nothing lost, nothing
 * duplicated, every delivery counted), never timings: those belong to the benchmark itself.
 */
class BenchSmokeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void idleConnectsEveryoneAndProvesThemLive() throws IOException {
    JsonNode idle = single(run("idle", "--clients", "30", "--room-size", "10"));
    assertThat(idle.path("figures").path(Figures.CONNECTIONS).asDouble()).isEqualTo(30);
    JsonNode figures = idle.path("figures");
    assertThat(figures.path(Figures.MEMORY_BYTES_PER_CONNECTION).asDouble())
        .isEqualTo(figures.path(Figures.HEAP_BYTES_PER_CONNECTION).asDouble() + figures.path(Figures.NATIVE_BYTES_PER_CONNECTION).asDouble());
  }

  @Test
  void roomsStepsUpAndEveryMemberGetsEveryMessage() throws IOException {
    JsonNode rooms = single(run("rooms", "--clients", "20", "--room-size", "5", "--rates", "20,40", "--step-seconds", "1",
        "--warm-up-seconds", "0.5"));
    assertThat(rooms.path("steps").size()).isBetween(1, 2);
    JsonNode first = rooms.path("steps").get(0);
    assertThat(first.path("deliveries_per_sec").asDouble()).isPositive();
    assertThat(first.path("latency").path("count").asLong()).isPositive();
    assertThat(rooms.path("parameters").path("room_size").asInt()).isEqualTo(5);
  }

  @Test
  void broadcastReachesTheWholeRoom() throws IOException {
    JsonNode broadcast = single(run("broadcast", "--clients", "20", "--senders-per-room", "2", "--rates", "10",
        "--step-seconds", "1", "--warm-up-seconds", "0.5"));
    assertThat(broadcast.path("parameters").path("room_size").asInt()).isEqualTo(20);
    assertThat(broadcast.path("steps").get(0).path("deliveries_per_sec").asDouble()).isPositive();
  }

  @Test
  void durableAcksEverySendOnSqlite() throws IOException {
    JsonNode durable = single(run("durable", "--clients", "10", "--duration-seconds", "1", "--warm-up-seconds", "0.5"));
    assertThat(durable.path("figures").path(Figures.ACKED_PER_SEC).asDouble()).isPositive();
    assertThat(durable.path("figures").path(Figures.ACK_P99_MS).asDouble()).isPositive();
    // the started server's CPU is read from /proc, so the per-CPU figure is there and agrees with the other two
    JsonNode figures = durable.path("figures");
    assertThat(figures.path(Figures.ACKED_PER_CPU_SECOND).asDouble())
        .isCloseTo(figures.path(Figures.ACKED_PER_SEC).asDouble() / figures.path(Figures.SERVER_CORES).asDouble(), within(figures.path(Figures.ACKED_PER_CPU_SECOND).asDouble() * 0.01));
  }

  @Test
  void durableAcksEverySendOnPostgres() throws IOException {
    TestDatabases.create(TestDatabases.Kind.POSTGRES, dir); // skips, or fails under CI, when PostgreSQL is not there
    JsonNode durable = single(run("durable", "--clients", "10", "--duration-seconds", "1", "--warm-up-seconds", "0.5", "--database-url", TestDatabases.postgresUrl()));
    assertThat(durable.path("figures").path(Figures.ACKED_PER_SEC).asDouble()).isPositive();
    assertThat(durable.path("notes").toString()).contains("PostgreSQL");
  }

  @Test
  void stormBringsEveryoneBackWithWhatTheyMissed() throws IOException {
    JsonNode storm = single(run("storm", "--clients", "40", "--room-size", "10", "--missed", "3"));
    // 40 clients each missed 3 messages in their room while away
    assertThat(storm.path("figures").path(Figures.CAUGHT_UP_MESSAGES).asDouble()).isEqualTo(120);
    assertThat(storm.path("figures").path(Figures.RECONNECT_SECONDS).asDouble()).isPositive();
    assertThat(storm.path("figures").path(Figures.RECONNECT_CPU_SECONDS).asDouble()).isPositive();
  }

  @Test
  void compareRunsBothServersWithTheSameLoad() throws IOException {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (!ci && !(Executables.onPath("node") && Executables.onPath("npm"))) {
      System.err.println("NOTICE: skipping bench compare: node and npm are not installed (apt-get install nodejs npm)");
      Assumptions.abort("node and npm are not installed");
    }
    List<JsonNode> results = run("compare", "--clients", "20", "--room-size", "5", "--rates", "20", "--step-seconds", "1",
        "--warm-up-seconds", "0.5");
    assertThat(results).extracting(r -> r.path("scenario").asText() + "/" + r.path("server").asText())
        .containsExactly("rooms/chatroom", "rooms/socketio", "broadcast/chatroom", "broadcast/socketio");
    for (JsonNode result : results) {
      assertThat(result.path("steps").get(0).path("deliveries_per_sec").asDouble()).as(result.path("server").asText()).isPositive();
    }
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.endsWith("-rooms.svg")).anyMatch(n -> n.endsWith("-broadcast.svg")).contains("latest.md");
    }
    assertThat(Files.readString(dir.resolve("out/latest.md"))).contains("Socket.IO");
  }

  @Test
  void badOptionsStopWithOneLineNamingTheOption() {
    Cli.Result result = Cli.run("bench", "rooms", "--rates", "100,-5");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err().strip()).startsWith("chatroom: --rates").doesNotContain("\n");
    assertThat(Cli.run("bench", "lunch").err()).contains("SCENARIO").contains("idle, rooms, broadcast");
  }

  /** Runs the bench and returns its results, after checking it succeeded with nothing lost or duplicated. */
  private List<JsonNode> run(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("bench"));
    all.addAll(List.of(args));
    all.addAll(List.of("--no-pin", "--heap", "256m", "--event-loops", "1", "--output", dir.resolve("out").toString(),
        "--work-dir", dir.resolve("work").toString()));
    Cli.Result result = Cli.run(all.toArray(String[]::new));
    assertThat(result.code()).as(result.out() + result.err()).isZero();
    Path json;
    try (Stream<Path> files = Files.list(dir.resolve("out"))) {
      json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode r : JSON.readTree(Files.readString(json)).path("results")) {
      assertThat(r.path("lost").asLong()).as("lost in " + r).isZero();
      assertThat(r.path("duplicated").asLong()).as("duplicated in " + r).isZero();
      results.add(r);
    }
    assertThat(results).isNotEmpty();
    return results;
  }

  private static JsonNode single(List<JsonNode> results) {
    assertThat(results).hasSize(1);
    return results.get(0);
  }
}
