package io.chatroom.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * durable: how many messages a second the server commits and acknowledges when every sender waits for its ack
 * (a closed loop of {@code window} sends per sender), and how long an ack takes. Acks mean committed, so this is
 * the store's group commit under load.
 */
public final class DurableScenario implements Scenario {
  private final Settings settings;

  public record Settings(int senders, int roomSize, int window, Duration warmUp, Duration duration, int eventLoops, int messageBytes) {}

  public DurableScenario(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "durable";
  }

  @Override
  public int connections() {
    return settings.senders();
  }

  @Override
  public ScenarioResult run(ServerUnderTest server, PrintWriter progress) throws InterruptedException {
    String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    Optional<ProcessProbe> probe = server.probe();
    List<String> notes = new ArrayList<>();
    Map<String, Double> figures = new LinkedHashMap<>();
    long lost;
    long duplicated;
    try (LoadGenerator load = new LoadGenerator(server, settings.eventLoops(), settings.messageBytes())) {
      List<BenchClient> senders = load.connect(0, settings.senders(), Duration.ofSeconds(120));
      load.join(senders, c -> List.of(roomOf(c, run)), Duration.ofSeconds(120));
      AtomicBoolean running = new AtomicBoolean(true);
      for (BenchClient sender : senders) {
        sender.context().runOnContext(v -> {
          sender.onAck(() -> {
            if (running.get()) {
              sender.send(roomOf(sender, run));
            }
          });
          for (int i = 0; i < settings.window(); i++) {
            sender.send(roomOf(sender, run));
          }
        });
      }
      Tally tally = load.tally();
      Thread.sleep(settings.warmUp().toMillis()); // not measured
      tally.ackInterval();
      long acked0 = tally.acked.sum();
      double cpu0 = probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN);
      long t0 = System.nanoTime();
      Thread.sleep(settings.duration().toMillis());
      double wall = (System.nanoTime() - t0) / 1e9;
      long acked = tally.acked.sum() - acked0;
      Latency latency = Latency.of(tally.ackInterval());
      double cpu = probe.map(ProcessProbe::cpuSeconds).orElse(Double.NaN) - cpu0;
      running.set(false);
      load.awaitAcked(Duration.ofSeconds(30));
      load.awaitDelivered(tally.acked.sum() * settings.roomSize(), Duration.ofSeconds(30));
      figures.put(Figures.ACKED_PER_SEC, acked / wall);
      Figures.putMeasured(figures, Figures.ACKED_PER_CPU_SECOND, Figures.perCpuSecond(acked, cpu));
      Figures.putMeasured(figures, Figures.SERVER_CORES, cpu / wall);
      figures.put(Figures.ACK_P50_MS, latency.p50Ms());
      figures.put(Figures.ACK_P99_MS, latency.p99Ms());
      figures.put(Figures.ACK_MAX_MS, latency.maxMs());
      progress.printf("  durable: %,.0f acked msgs/s (%,.0f per server CPU-second), ack p50 %.2f ms, p99 %.2f ms, max %.2f ms, server CPU %.2f cores%n",
          acked / wall, Figures.perCpuSecond(acked, cpu), latency.p50Ms(), latency.p99Ms(), latency.maxMs(), cpu / wall);
      progress.flush();
      LoadGenerator.Loss loss = load.loss();
      lost = loss.lost();
      duplicated = tally.duplicates.sum();
      if (tally.errors.sum() > 0) {
        notes.add(tally.errors.sum() + " errors, the first: " + tally.firstError());
      }
    }
    notes.add(server.description());
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("senders", settings.senders());
    parameters.put("room_size", settings.roomSize());
    parameters.put("window", settings.window());
    parameters.put("duration_seconds", settings.duration().toSeconds());
    parameters.put("message_bytes", settings.messageBytes());
    return new ScenarioResult("durable", server.name(), parameters, List.of(), figures, lost, duplicated, notes);
  }

  private String roomOf(BenchClient client, String run) {
    return "durable-" + run + "-" + client.index() / settings.roomSize();
  }
}
