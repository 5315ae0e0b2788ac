package io.chatroom.bench;

import io.chatroom.config.ConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** The knobs of {@code chatroom bench}; a scenario's own defaults apply to any left out. */
public final class BenchOptions {
  @Option(names = "--target", description = "Measure a chatroom already running at this URL (http://host:port or https://...) instead of starting one")
  URI target;

  @Option(names = "--server-pid", description = "With --target: the server's process id on this machine, to read its CPU time and memory")
  Long serverPid;

  @Option(names = "--users", defaultValue = "200", description = "With --target: how many users to register and share among the connections (default ${DEFAULT-VALUE})")
  int users;

  @Option(names = "--database-url", description = "Run the started chatroom on this PostgreSQL database instead of embedded SQLite")
  String databaseUrl;

  @Option(names = "--heap", defaultValue = "1g", description = "Heap of the started chatroom JVM (default ${DEFAULT-VALUE})")
  String heap;

  @Option(names = "--server-jvm-options", defaultValue = ChatroomProcess.DEFAULT_JVM_OPTIONS, split = " ",
      description = "JVM options of the started chatroom besides its heap (default \"${DEFAULT-VALUE}\")")
  List<String> serverJvmOptions;

  @Option(names = "--no-pin", description = "Do not pin the server and the load generator to separate cores")
  boolean noPin;

  @Option(names = "--profile", description = "Record a Java Flight Recording of the started chatroom (server.jfr in its work directory, which is then kept)")
  boolean profile;

  @Option(names = "--output", defaultValue = "bench/results", description = "Where results go as JSON, Markdown and SVG (default ${DEFAULT-VALUE})")
  Path output;

  @Option(names = "--work-dir", description = "Where server data and logs go and stay (default: a new temporary directory, deleted after a clean run)")
  Path workDir;

  @Option(names = "--socketio-dir", defaultValue = "bench/peers/socketio", description = "The reference Socket.IO server (default ${DEFAULT-VALUE})")
  Path socketIoDir;

  @Option(names = "--event-loops", description = "Load generator event loops (default: one per core not given to the server)")
  Integer eventLoops;

  @Option(names = "--clients", description = "Connections (idle 20000, rooms 2000, broadcast 5000, durable 500, storm 10000)")
  Integer clients;

  @Option(names = "--room-size", description = "Members per room (idle, rooms, storm 10; broadcast: all clients; durable 1)")
  Integer roomSize;

  @Option(names = "--senders-per-room", description = "How many members of each room send (rooms: all; broadcast 5)")
  Integer sendersPerRoom;

  @Option(names = "--rates", split = ",", description = "Total offered msgs/s of each step, in order (rooms: 0.5 to 10 per client; broadcast: 2 to 100)")
  List<Double> rates;

  @Option(names = "--step-seconds", description = "Length of each load step (default 3)")
  Double stepSeconds;

  @Option(names = "--warm-up-seconds", description = "Sending before the first measured step (default 12)")
  Double warmUpSeconds;

  @Option(names = "--p99-limit-ms", description = "The p99 past which a step counts as saturated (rooms 50, broadcast 1000)")
  Double p99LimitMs;

  @Option(names = "--message-bytes", description = "Size of each message's text (default 64)")
  Integer messageBytes;

  @Option(names = "--window", description = "durable: sends each sender keeps awaiting (default 1)")
  Integer window;

  @Option(names = "--duration-seconds", description = "durable: how long to measure, after the same warm-up (default 20)")
  Double durationSeconds;

  @Option(names = "--missed", description = "storm: messages posted to each room while its members are away (default 5)")
  Integer missed;

  void validate(String scenario) {
    positive("--clients", clients);
    positive("--room-size", roomSize);
    positive("--senders-per-room", sendersPerRoom);
    positive("--event-loops", eventLoops);
    positive("--message-bytes", messageBytes);
    positive("--window", window);
    if (missed != null && (missed < 1 || missed > 500)) {
      throw new ConfigException("--missed", missed + " is not between 1 and 500", "a rejoin replays at most 500 messages; use e.g. 5");
    }
    if (rates != null && rates.stream().anyMatch(r -> r <= 0)) {
      throw new ConfigException("--rates", "has a rate that is not positive", "give msgs/s like --rates 1000,2000,4000");
    }
    if (messageBytes != null && messageBytes < 24) {
      throw new ConfigException("--message-bytes", messageBytes + " is too small", "use at least 24: the text carries its send time");
    }
    if (databaseUrl != null && !databaseUrl.startsWith("postgresql://")) {
      throw new ConfigException("--database-url", "is not a postgresql:// URL", "give e.g. postgresql://postgres@127.0.0.1:5432/bench");
    }
    if (target != null && !List.of("http", "https").contains(target.getScheme())) {
      throw new ConfigException("--target", "'" + target + "' is not an http(s) URL", "give the server's address, e.g. http://127.0.0.1:8888");
    }
    if (target != null && databaseUrl != null) {
      throw new ConfigException("--database-url", "cannot be used with --target", "a running server already has its database");
    }
    if (target != null && scenario.equals("compare")) {
      throw new ConfigException("--target", "cannot be used with compare", "compare starts both servers itself, pinned alike");
    }
  }

  private static void positive(String name, Integer value) {
    if (value != null && value < 1) {
      throw new ConfigException(name, value + " is not positive", "give a whole number from 1");
    }
  }

  int loops(CorePinning pinning) {
    if (eventLoops != null) {
      return eventLoops;
    }
    return pinning.pinned() ? Math.max(1, pinning.cores() - 1) : Math.max(1, pinning.cores() / 2);
  }

  /** The scenarios {@code name} runs, with these options over their defaults. */
  List<Scenario> scenarios(String name, CorePinning pinning) {
    int loops = loops(pinning);
    return switch (name) {
      case "rooms" -> List.of(stepped("rooms", SteppedScenario.roomsDefaults(loops)));
      case "broadcast" -> List.of(stepped("broadcast", SteppedScenario.broadcastDefaults(loops)));
      case "compare" -> List.of(stepped("rooms", SteppedScenario.roomsDefaults(loops)),
          stepped("broadcast", SteppedScenario.broadcastDefaults(loops)));
      case "idle" -> List.of(new IdleScenario(new IdleScenario.Settings(or(clients, 20_000), or(roomSize, 10), loops)));
      case "durable" -> List.of(new DurableScenario(new DurableScenario.Settings(or(clients, 500), or(roomSize, 1), or(window, 1),
          seconds(or(warmUpSeconds, SteppedScenario.WARM_UP.toMillis() / 1000.0)), Duration.ofMillis((long) (or(durationSeconds, 20.0) * 1000)), loops, or(messageBytes, 64))));
      case "storm" -> List.of(new StormScenario(new StormScenario.Settings(or(clients, 10_000), or(roomSize, 10), or(missed, 5), loops)));
      default -> throw new ConfigException("SCENARIO", "'" + name + "' is not a scenario", "use one of " + String.join(", ", BenchCommand.SCENARIOS));
    };
  }

  private SteppedScenario stepped(String name, SteppedScenario.Settings d) {
    int n = or(clients, d.clients());
    // broadcast's room is everyone unless told otherwise
    int size = or(roomSize, name.equals("broadcast") ? n : d.roomSize());
    List<Double> steps = rates != null ? rates : name.equals("rooms") ? scaled(d.rates(), n / (double) d.clients()) : d.rates();
    return new SteppedScenario(name, new SteppedScenario.Settings(n, size, Math.min(size, or(sendersPerRoom, d.sendersPerRoom())), steps,
        Duration.ofMillis((long) (or(stepSeconds, d.step().toMillis() / 1000.0) * 1000)),
        Duration.ofMillis((long) (or(warmUpSeconds, d.warmUp().toMillis() / 1000.0) * 1000)), or(p99LimitMs, d.p99LimitMs()),
        d.eventLoops(), or(messageBytes, d.messageBytes())));
  }

  /** rooms' default rates are per client: fewer clients offer proportionally less. */
  private static List<Double> scaled(List<Double> rates, double factor) {
    return Arrays.stream(rates.toArray(Double[]::new)).map(r -> r * factor).toList();
  }

  private static Duration seconds(double s) {
    return Duration.ofMillis((long) (s * 1000));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
