package io.chatroom.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * storm: every client drops at once (a network blip, a load balancer restart) while messages keep arriving in
 * their rooms, then all reconnect together and resume with {@code since}. Measures the time until every one is
 * back, has rejoined its room and has received what it missed.
 */
public final class StormScenario implements Scenario {
  /** Rooms one writer connection posts to. */
  static final int ROOMS_PER_WRITER = 100;
  /** Connections opening at once during the storm: a client-side cap, like a browser's jittered retry. */
  static final int STORM_CONCURRENCY = 1_000;
  /**
   * After the unmeasured storm the server's JIT compiler still works through what it made hot (on one core,
   * C2 took a third of it for seconds, compiling the upgrade and token paths): the measured storm starts once
   * the server is this idle, as a server that has been up a while would be.
   */
  static final double SETTLED_CORES = 0.1;
  static final Duration SETTLE_MAX = Duration.ofSeconds(15);

  private final Settings settings;

  public record Settings(int clients, int roomSize, int missed, int eventLoops) {
    int rooms() {
      return (clients + roomSize - 1) / roomSize;
    }

    int writers() {
      return (rooms() + ROOMS_PER_WRITER - 1) / ROOMS_PER_WRITER;
    }
  }

  public StormScenario(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "storm";
  }

  @Override
  public int connections() {
    return settings.clients() + settings.writers();
  }

  @Override
  public ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException {
    String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    List<String> notes = new ArrayList<>();
    Map<String, Double> figures = new LinkedHashMap<>();
    long lost;
    long duplicated;
    try (LoadGenerator load = new LoadGenerator(server, settings.eventLoops(), 64)) {
      List<BenchClient> clients = load.connect(0, settings.clients(), Duration.ofSeconds(300));
      load.join(clients, c -> List.of(room(c.index() / settings.roomSize(), run)), Duration.ofSeconds(300));
      List<BenchClient> writers = load.connect(settings.clients(), settings.writers(), Duration.ofSeconds(60));
      load.join(writers, w -> roomsOf(w, run), Duration.ofSeconds(60));
      Round practice = storm(load, clients, writers, run, server);
      Optional<ProcessProbe> probe = server.probe();
      boolean settled = probe.isPresent() && probe.get().awaitIdle(SETTLED_CORES, SETTLE_MAX);
      progress.printf("  storm: a first, unmeasured storm (%.2f s) so the resume path is compiled, as on a server that has been up a while%s%n",
          practice.seconds(), settled ? "; the server then settled" : "");
      progress.flush();
      Round round = storm(load, clients, writers, run, server);
      figures.put(Figures.CONNECTIONS, (double) settings.clients());
      figures.put(Figures.RECONNECT_SECONDS, round.seconds());
      figures.put(Figures.CAUGHT_UP_MESSAGES, (double) round.caughtUp());
      Figures.putMeasured(figures, Figures.SERVER_CORES, round.serverCores());
      Figures.putMeasured(figures, Figures.RECONNECT_CPU_SECONDS, round.serverCores() * round.seconds());
      progress.printf("  storm: %,d clients back and caught up (%,d missed messages replayed) in %.2f s; server CPU %.2f cores, load generator %.2f cores%n",
          settings.clients(), round.caughtUp(), round.seconds(), round.serverCores(), round.ownCores());
      progress.flush();
      notes.add(String.format("the measured storm was the second: the first (%.2f s) makes the resume path hot, and the bench %s",
          practice.seconds(), settled ? "waited for the server's JIT to finish compiling it" : "could not see the server settle"));
      notes.add(String.format("during the storm the load generator used %.2f cores", round.ownCores()));
      SteppedScenario.awaitQuiet(load, Duration.ofSeconds(10));
      LoadGenerator.Loss loss = load.loss();
      Tally tally = load.tally();
      lost = loss.lost();
      duplicated = tally.duplicates.sum();
      if (tally.errors.sum() > 0) {
        notes.add(tally.errors.sum() + " errors, the first: " + tally.firstError());
      }
    }
    notes.add("reconnects capped at " + STORM_CONCURRENCY + " opening at once, as clients with jittered retries would");
    notes.add(server.description());
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("clients", settings.clients());
    parameters.put("room_size", settings.roomSize());
    parameters.put("missed_per_room", settings.missed());
    return new ScenarioResult("storm", server.name(), parameters, List.of(), figures, lost, duplicated, notes);
  }

  /** One storm: how long, how many missed messages replayed, and each side's CPU meanwhile. */
  private record Round(double seconds, long caughtUp, double serverCores, double ownCores) {}

  /**
   * Drops every client, has the writers post {@code missed} messages to each room while they are away, then
   * reconnects them all with resume and times it until each has rejoined and received what it missed.
   */
  private Round storm(LoadGenerator load, List<BenchClient> clients, List<BenchClient> writers, String run, ServerUnderTest server)
      throws InterruptedException {
    Tally tally = load.tally();
    load.drop(clients);
    long writersHad = tally.delivered.sum();
    for (BenchClient writer : writers) {
      writer.context().runOnContext(v -> {
        for (String room : roomsOf(writer, run)) {
          for (int i = 0; i < settings.missed(); i++) {
            writer.send(room);
          }
        }
      });
    }
    load.awaitAcked(Duration.ofSeconds(60));
    load.awaitDelivered(writersHad + settings.rooms() * (long) settings.missed(), Duration.ofSeconds(30)); // the writers' own copies
    long before = tally.delivered.sum();
    Optional<ProcessProbe> probe = server.probe();
    ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    double serverCpu0 = probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN);
    double ownCpu0 = self.cpuSeconds();
    long started = System.nanoTime();
    load.resume(clients, STORM_CONCURRENCY, Duration.ofSeconds(120));
    double seconds = (System.nanoTime() - started) / 1e9;
    // which side was the limit: a server below one core was waiting on something other than its CPU
    double serverCores = (probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN) - serverCpu0) / seconds;
    double ownCores = (self.cpuSeconds() - ownCpu0) / seconds;
    return new Round(seconds, tally.delivered.sum() - before, serverCores, ownCores);
  }

  private String room(int number, String run) {
    return "storm-" + run + "-" + number;
  }

  /** The rooms writer {@code w} posts to: its block of {@value #ROOMS_PER_WRITER}. */
  private List<String> roomsOf(BenchClient writer, String run) {
    int first = (writer.index() - settings.clients()) * ROOMS_PER_WRITER;
    List<String> rooms = new ArrayList<>();
    for (int r = first; r < Math.min(first + ROOMS_PER_WRITER, settings.rooms()); r++) {
      rooms.add(room(r, run));
    }
    return rooms;
  }
}
