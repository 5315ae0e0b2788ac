package io.chatroom.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * rooms and broadcast: clients in rooms, some of them sending at a total rate that steps up until the server
 * saturates (p99 over the limit, or deliveries falling behind what was offered). Each step reports deliveries
 * per wall-clock second and per second of server CPU, and the end-to-end latency of every delivery.
 */
public final class SteppedScenario implements Scenario {
  /** Below this share of the offered deliveries arriving within the step, the server is falling behind. */
  static final double BEHIND = 0.9;
  /**
   * Sending at the first rate before measuring. A JVM pinned to one core spends its first 20-30 s compiling
   * hot code, and C2 competes with the event loop for that core: with 3 s of warm-up the same load measured
   * a p99 of 239 ms instead of 31 ms. Node warms up faster, so a short warm-up favours the peer.
   */
  static final Duration WARM_UP = Duration.ofSeconds(12);
  /**
   * After warm-up the bench has the server run one full GC, then waits this long before measuring. The state of
   * thousands of connections opened within seconds is otherwise copied by the first young collections of the
   * measured steps (about 40 MB for 2,000 connections, twice, at 100 ms a time on one core): a one-time cost that
   * a server which has been up a while paid long ago, and that lands in whichever step it happens to hit.
   */
  static final Duration SETTLE = Duration.ofSeconds(1);

  private final String name;
  private final Settings settings;

  /**
   * {@code clients} split into rooms of {@code roomSize}; {@code sendersPerRoom} of each room's members send;
   * {@code rates} are the total offered msgs/s of the steps, tried in order.
   */
  public record Settings(int clients, int roomSize, int sendersPerRoom, List<Double> rates, Duration step, Duration warmUp,
      double p99LimitMs, int eventLoops, int messageBytes) {
    int rooms() {
      return (clients + roomSize - 1) / roomSize;
    }
  }

  public SteppedScenario(String name, Settings settings) {
    this.name = name;
    this.settings = settings;
  }

  /** The defaults of {@code rooms}: 2,000 clients in rooms of 10, all sending, from 0.5 to 10 msgs/s each. */
  public static Settings roomsDefaults(int eventLoops) {
    List<Double> perClient = List.of(0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0);
    return new Settings(2_000, 10, 10, perClient.stream().map(r -> r * 2_000).toList(), Duration.ofSeconds(3),
        WARM_UP, 50, eventLoops, 64);
  }

  /**
   * The defaults of {@code broadcast}: one room of 5,000, five of them sending, from 2 to 100 msgs/s in total
   * (chatroom still kept up at 60 once its WebSocket path was on plain Netty).
   * A step saturates when deliveries fall behind or p99 passes {@value #BROADCAST_P99_LIMIT_MS} ms: one core
   * writing one message to 5,000 sockets takes about 100 ms (a syscall each), so the last subscriber's
   * latency is at least that at any rate, for any server, and a 50 ms limit would end every run at its first step.
   */
  public static Settings broadcastDefaults(int eventLoops) {
    return new Settings(5_000, 5_000, 5, List.of(2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0, 80.0, 100.0),
        Duration.ofSeconds(3), WARM_UP, BROADCAST_P99_LIMIT_MS, eventLoops, 64);
  }

  static final double BROADCAST_P99_LIMIT_MS = 1_000;

  @Override
  public String name() {
    return name;
  }

  @Override
  public int connections() {
    return settings.clients();
  }

  private String roomOf(BenchClient client, String run) {
    return name + "-" + run + "-" + client.index() / settings.roomSize();
  }

  @Override
  public ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException {
    String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Optional<ProcessProbe> probe = server.probe();
    ProcessProbe self = new ProcessProbe(ProcessHandle.current().pid());
    int loadGeneratorCores = Runtime.getRuntime().availableProcessors();
    List<Step> steps = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long lost;
    long duplicated;
    try (LoadGenerator load = new LoadGenerator(server, settings.eventLoops(), settings.messageBytes())) {
      long started = System.nanoTime();
      List<BenchClient> clients = load.connect(0, settings.clients(), Duration.ofSeconds(120));
      load.join(clients, c -> List.of(roomOf(c, run)), Duration.ofSeconds(120));
      progress.printf("  %s: %,d clients in %,d rooms connected and joined in %.1f s%n", name, clients.size(), settings.rooms(),
          (System.nanoTime() - started) / 1e9);
      progress.flush();
      List<BenchClient> senders = clients.stream().filter(c -> c.index() % settings.roomSize() < settings.sendersPerRoom()).toList();
      int fanOut = settings.roomSize();
      Pacer pacer = load.pace(senders, c -> roomOf(c, run), settings.rates().get(0));
      Thread.sleep(settings.warmUp().toMillis());
      if (server.collectGarbage()) {
        notes.add("one full GC of the server after warm-up: see docs/performance.md");
        Thread.sleep(SETTLE.toMillis());
      }
      Tally tally = load.tally();
      tally.deliveryInterval();
      for (double rate : settings.rates()) {
        pacer.rate(rate);
        long sent0 = tally.sent.sum();
        long delivered0 = tally.delivered.sum();
        double cpu0 = probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN);
        double ownCpu0 = self.cpuSeconds();
        long t0 = System.nanoTime();
        Thread.sleep(settings.step().toMillis());
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN) - cpu0;
        double ownCores = (self.cpuSeconds() - ownCpu0) / wall;
        long sent = tally.sent.sum() - sent0;
        long delivered = tally.delivered.sum() - delivered0;
        Histogram latency = tally.deliveryInterval();
        Latency percentiles = Latency.of(latency);
        boolean saturated = percentiles.p99Ms() > settings.p99LimitMs() || behind(sent, delivered, fanOut);
        Step step = new Step(sent / wall, delivered / wall, wall, cpu, percentiles, saturated);
        steps.add(step);
        progress.printf("  %s %-8s offered %,9.0f msgs/s  delivered %,10.0f/s  server CPU %4.2f cores  %,10.0f per CPU-s  p99 %8.2f ms"
            + "  (load generator %4.2f cores)%s%n", name, server.name(), step.offeredMsgsPerSec(), step.deliveriesPerSec(), step.serverCores(),
            step.deliveriesPerCpuSecond(), percentiles.p99Ms(), ownCores, saturated ? "  saturated" : "");
        if (saturated && ownCores > 0.9 * loadGeneratorCores) {
          notes.add(String.format("the load generator was busy too at saturation (%.2f of its %d cores): the server may not be the limit",
              ownCores, loadGeneratorCores));
        }
        progress.flush();
        if (saturated) {
          break;
        }
      }
      pacer.stop();
      load.awaitAcked(Duration.ofSeconds(30));
      awaitQuiet(load, Duration.ofSeconds(60));
      LoadGenerator.Loss loss = load.loss();
      lost = loss.lost();
      duplicated = tally.duplicates.sum();
      if (loss.unacknowledged() > 0) {
        notes.add(loss.unacknowledged() + " sends were never acknowledged");
      }
      if (tally.errors.sum() > 0) {
        notes.add(tally.errors.sum() + " errors, the first: " + tally.firstError());
      }
    }
    if (steps.stream().noneMatch(Step::saturated)) {
      notes.add("never saturated: the highest rate tried was sustained; raise --rates to find the limit");
    }
    if (probe.isEmpty()) {
      notes.add("server CPU not measured (no process to read)");
    }
    notes.add(server.description());
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("clients", settings.clients());
    parameters.put("room_size", settings.roomSize());
    parameters.put("senders_per_room", settings.sendersPerRoom());
    parameters.put("step_seconds", settings.step().toSeconds());
    parameters.put("p99_limit_ms", settings.p99LimitMs());
    parameters.put("message_bytes", settings.messageBytes());
    return new ScenarioResult(name, server.name(), parameters, steps, Figures.ofSteps(steps), lost, duplicated, notes);
  }

  /**
   * Whether fewer deliveries arrived during a step than its sends call for. One message's fan-out may still be
   * under way when the step ends (a 5,000-member room takes about 100 ms), so one message's worth is forgiven:
   * at a few messages per step the last one alone is a large share.
   */
  static boolean behind(long sent, long delivered, int fanOut) {
    return delivered < BEHIND * sent * fanOut - fanOut;
  }

  /** Waits until deliveries stop arriving: a saturated server may still be working through its backlog. */
  static void awaitQuiet(LoadGenerator load, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = load.tally().delivered.sum();
      if (now == last) {
        return;
      }
      last = now;
      Thread.sleep(500);
    }
  }
}
