package io.chatroom.bench;

import io.chatroom.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom bench SCENARIO}: the load generator and its scenarios. By default each scenario starts the
 * server it measures (a fresh chatroom JVM, or the Socket.IO peer), pinned to core 0, and stops it afterwards.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure this server (and Socket.IO, with compare) under load: idle, rooms, broadcast, durable, storm, compare.")
public final class BenchCommand implements Callable<Integer> {
  static final List<String> SCENARIOS = List.of("idle", "rooms", "broadcast", "durable", "storm", "compare");

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SCENARIO", description = "idle, rooms, broadcast, durable, storm or compare (rooms and broadcast against both servers)")
  String scenario;

  @Mixin
  BenchOptions options;

  @Override
  public Integer call() throws Exception {
    if (!SCENARIOS.contains(scenario)) {
      throw new ConfigException("SCENARIO", "'" + scenario + "' is not a scenario", "use one of " + String.join(", ", SCENARIOS));
    }
    options.validate(scenario);
    PrintWriter out = spec.commandLine().getOut();
    CorePinning pinning = options.noPin ? CorePinning.none() : CorePinning.detect();
    List<Scenario> scenarios = options.scenarios(scenario, pinning);
    for (Scenario s : scenarios) {
      OpenFiles.require(s.connections());
    }
    out.println("chatroom bench " + scenario + ": " + pinning.description());
    out.flush();
    Machine machine = MachineInfo.detect();
    pinning.pinLoadGenerator();
    WorkDir work = WorkDir.open(options.workDir);
    List<ScenarioResult> results = new ArrayList<>();
    boolean clean = false; // stays false when a scenario throws: then the logs are wanted too
    try {
      for (Scenario s : scenarios) {
        List<String> servers = scenario.equals("compare") ? List.of("chatroom", "socketio") : List.of("chatroom");
        for (String server : servers) {
          try (ServerUnderTest target = start(server, s, work.path(), pinning)) {
            out.println("  " + s.name() + " against " + target.description());
            out.flush();
            results.add(s.run(target, out));
          }
        }
      }
      clean = results.stream().allMatch(ScenarioResult::clean);
    } finally {
      Path kept = work.finish(options.profile || !clean);
      if (kept != null) {
        out.println("server data and logs" + (options.profile ? " (and server.jfr)" : "") + " are in " + kept);
        out.flush();
      }
    }
    BenchRun run = new BenchRun(Instant.now(), machine, "chatroom " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
        results);
    out.println();
    out.println(BenchReport.consoleTable(run));
    if (options.output != null) {
      for (Path written : BenchReport.write(run, options.output)) {
        out.println("wrote " + written);
      }
    }
    out.flush();
    if (!clean) {
      spec.commandLine().getErr().println("chatroom bench: deliveries were lost or duplicated; see the table above");
    }
    return clean ? 0 : 1;
  }

  private ServerUnderTest start(String server, Scenario scenario, Path work, CorePinning pinning) throws IOException, InterruptedException {
    int connections = scenario.connections();
    if (server.equals("socketio")) {
      return SocketIoProcess.start(options.socketIoDir, work, pinning);
    }
    if (options.target != null) {
      return TargetServer.connect(options.target, Math.min(connections, options.users), options.serverPid);
    }
    Path dir = Files.createTempDirectory(work, "chatroom-");
    List<String> jvmOptions = new ArrayList<>(options.serverJvmOptions);
    jvmOptions.addAll(scenario.serverJvmOptions());
    return ChatroomProcess.start(new ChatroomProcess.Settings(dir, options.databaseUrl, connections, options.heap,
        jvmOptions, pinning, options.profile));
  }
}
