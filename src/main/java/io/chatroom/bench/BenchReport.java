package io.chatroom.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * Writes a {@link BenchRun} down: JSON for later comparison, Markdown for people (chatroom and Socket.IO side by side
 * where both ran, then every result in full), an SVG chart per stepped scenario, and a short summary for the terminal.
 * Numbers read the same on every machine: grouping with commas, a dot for decimals, whatever the platform locale.
 */
public final class BenchReport {
  private static final String OURS = "chatroom";
  private static final String PEER = "socketio";
  private static final String NONE = "—";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private record Figure(String name, String shortName, DoubleFunction<String> format) {}

  /** Every figure {@link Figures} names, in the order tables list them; units are in the names, not the cells. */
  private static final Map<String, Figure> FIGURES = new LinkedHashMap<>();

  static {
    add(Figures.DELIVERIES_PER_SEC, "deliveries/s (sustained)", "deliveries/s", BenchReport::number);
    add(Figures.DELIVERIES_PER_CPU_SECOND, "deliveries per server CPU-second", "per CPU-s", BenchReport::number);
    add(Figures.SATURATION_MSGS_PER_SEC, "saturation (msgs/s offered)", "saturates at", BenchReport::number);
    add(Figures.P99_MS_AT_70_PERCENT, "p99 at 70 % of sustained load (ms)", "p99@70% ms", BenchReport::duration);
    add(Figures.CONNECTIONS, "connections", "connections", BenchReport::number);
    add(Figures.MEMORY_BYTES_PER_CONNECTION, "memory per connection (KiB)", "mem/conn KiB", BenchReport::kib);
    add(Figures.HEAP_BYTES_PER_CONNECTION, "heap per connection (KiB)", "heap/conn KiB", BenchReport::kib);
    add(Figures.NATIVE_BYTES_PER_CONNECTION, "native per connection (KiB)", "native/conn KiB", BenchReport::kib);
    add(Figures.ACKED_PER_SEC, "acknowledged sends/s", "acked/s", BenchReport::number);
    add(Figures.ACKED_PER_CPU_SECOND, "acknowledged sends per server CPU-second", "acked per CPU-s", BenchReport::number);
    add(Figures.SERVER_CORES, "server CPU (cores)", "server cores", BenchReport::cores);
    add(Figures.ACK_P50_MS, "ack p50 (ms)", "ack p50 ms", BenchReport::duration);
    add(Figures.ACK_P99_MS, "ack p99 (ms)", "ack p99 ms", BenchReport::duration);
    add(Figures.ACK_MAX_MS, "ack max (ms)", "ack max ms", BenchReport::duration);
    add(Figures.RECONNECT_SECONDS, "reconnect and catch-up (s)", "reconnect s", BenchReport::duration);
    add(Figures.CAUGHT_UP_MESSAGES, "messages caught up", "caught up", BenchReport::number);
    add(Figures.RECONNECT_CPU_SECONDS, "server CPU for the storm (s)", "storm CPU s", BenchReport::duration);
  }

  private static final List<String> ORDER = List.copyOf(FIGURES.keySet());
  // figures this class does not know yet still get a row, after the known ones
  private static final Comparator<String> BY_ORDER = Comparator.<String>comparingInt(
      key -> ORDER.contains(key) ? ORDER.indexOf(key) : ORDER.size()).thenComparing(Comparator.naturalOrder());

  private static final StdSerializer<Double> NAN_AS_NULL = new StdSerializer<>(Double.class) {
    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
      if (value.isNaN() || value.isInfinite()) {
        out.writeNull();
      } else {
        out.writeNumber(value);
      }
    }
  };

  // snake_case like the figure and parameter keys; NaN is not JSON, so it travels as null
  private static final ObjectMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT, SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .addModule(new SimpleModule()
          .addSerializer(Instant.class, ToStringSerializer.instance)
          .addSerializer(Double.class, NAN_AS_NULL)
          .addSerializer(double.class, NAN_AS_NULL))
      .build();

  private BenchReport() {}

  /** The run as indented JSON; doubles that are NaN (not measured) are null. */
  public static String json(BenchRun run) {
    try {
      return JSON.writeValueAsString(run) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The run as a Markdown document that references its charts by the file names {@link #write} gives them. */
  public static String markdown(BenchRun run) {
    Machine m = run.machine();
    StringBuilder md = new StringBuilder("# Benchmark, ").append(MINUTE.format(run.date())).append("\n\n");
    md.append("Machine: ").append(text(m.cpu())).append(", ").append(m.cores()).append(" cores, ")
        .append(decimal("#,##0.0", m.memoryBytes() / (1024.0 * 1024 * 1024))).append(" GiB, ").append(text(m.os()))
        .append(", Java ").append(text(m.java())).append(", Node ").append(text(m.node())).append("  \n");
    md.append("Command: `").append(run.command()).append("`\n\n");
    String prefix = STAMP.format(run.date()) + "-";
    byScenario(run).forEach((scenario, results) -> {
      md.append("## ").append(scenario).append("\n\n");
      pair(results).ifPresent(pair -> comparison(md, pair));
      if (stepped(results)) {
        md.append("![").append(scenario).append("](").append(prefix).append(scenario).append(".svg)\n\n");
      }
      results.forEach(result -> section(md, result));
    });
    return md.toString().stripTrailing() + "\n";
  }

  /** One line per scenario and server with its figures, and a ratio line where chatroom met Socket.IO. */
  public static String consoleTable(BenchRun run) {
    List<String[]> rows = new ArrayList<>();
    byScenario(run).forEach((scenario, results) -> {
      for (ScenarioResult r : results) {
        List<String> cells = new ArrayList<>();
        keys(List.of(r.figures())).forEach(key -> cells.add(figure(key).shortName() + " " + value(key, r.figures())));
        cells.add("lost " + r.lost());
        cells.add("dup " + r.duplicated());
        rows.add(new String[] {scenario, label(r.server()), String.join("  ", cells)});
      }
      pair(results).ifPresent(p -> rows.add(new String[] {scenario, "ratio", keys(p.figures()).stream()
          .map(key -> figure(key).shortName() + " " + p.ratio(key))
          .collect(Collectors.joining("  "))}));
    });
    int scenarioWidth = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
    int serverWidth = rows.stream().mapToInt(row -> row[1].length()).max().orElse(0);
    String line = "%-" + scenarioWidth + "s  %-" + serverWidth + "s  %s";
    return rows.stream().map(row -> String.format(line, (Object[]) row).stripTrailing() + "\n")
        .collect(Collectors.joining());
  }

  /**
   * Writes {@code <stamp>-<scenarios>.json}, {@code <stamp>-<scenarios>.md}, a {@code <stamp>-<scenario>.svg} per
   * stepped scenario and {@code latest.md} into {@code dir}, creating it; the stamp is the run's UTC date to the
   * second, so runs never overwrite each other. Returns the files in that order.
   */
  public static List<Path> write(BenchRun run, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, List<ScenarioResult>> byScenario = byScenario(run);
    String prefix = STAMP.format(run.date()) + "-";
    String name = String.join("-", byScenario.keySet());
    String markdown = markdown(run);
    List<Path> written = new ArrayList<>();
    written.add(Files.writeString(dir.resolve(prefix + name + ".json"), json(run)));
    written.add(Files.writeString(dir.resolve(prefix + name + ".md"), markdown));
    for (Map.Entry<String, List<ScenarioResult>> e : byScenario.entrySet()) {
      if (stepped(e.getValue())) {
        List<ScenarioResult> withSteps = e.getValue().stream().filter(r -> !r.steps().isEmpty()).toList();
        String svg = SvgChart.latencyAgainstLoad(e.getKey() + ": p99 latency against load", withSteps);
        written.add(Files.writeString(dir.resolve(prefix + e.getKey() + ".svg"), svg));
      }
    }
    written.add(Files.writeString(dir.resolve("latest.md"), markdown));
    return written;
  }

  /** How reports name a server. */
  static String label(String server) {
    // the version bench/peers/socketio/package.json pins
    return PEER.equals(server) ? "Socket.IO 4.8.4" : server;
  }

  /** A count or rate: grouped whole numbers, one decimal below 100 where it matters. */
  static String number(double value) {
    return decimal(Math.abs(value) >= 100 ? "#,##0" : "#,##0.#", value);
  }

  /** The same result against both servers, for comparison. */
  private record Pair(ScenarioResult ours, ScenarioResult theirs) {
    List<Map<String, Double>> figures() {
      return List.of(ours.figures(), theirs.figures());
    }

    String ratio(String key) {
      double ratio = Figures.ratio(ours.figures().get(key), theirs.figures().get(key));
      return Double.isNaN(ratio) ? NONE : decimal("#,##0.00", ratio) + "×";
    }
  }

  private static Optional<Pair> pair(List<ScenarioResult> results) {
    Optional<ScenarioResult> ours = results.stream().filter(r -> OURS.equals(r.server())).findFirst();
    Optional<ScenarioResult> theirs = results.stream().filter(r -> PEER.equals(r.server())).findFirst();
    return ours.isPresent() && theirs.isPresent() ? Optional.of(new Pair(ours.get(), theirs.get())) : Optional.empty();
  }

  private static void comparison(StringBuilder md, Pair pair) {
    md.append("| figure | ").append(label(OURS)).append(" | ").append(label(PEER)).append(" | ratio |\n")
        .append("|---|--:|--:|--:|\n");
    for (String key : keys(pair.figures())) {
      row(md, figure(key).name(), value(key, pair.ours().figures()), value(key, pair.theirs().figures()),
          pair.ratio(key));
    }
    row(md, "lost / duplicated", pair.ours().lost() + " / " + pair.ours().duplicated(),
        pair.theirs().lost() + " / " + pair.theirs().duplicated(), NONE);
    md.append('\n');
  }

  private static void section(StringBuilder md, ScenarioResult r) {
    md.append("### ").append(r.scenario()).append(" — ").append(label(r.server())).append("\n\n");
    if (!r.parameters().isEmpty()) {
      // sorted: the record's map has no order of its own, and reports of two runs should line up
      md.append(new TreeMap<>(r.parameters()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(", "))).append("\n\n");
    }
    if (!r.steps().isEmpty()) {
      md.append("| offered msgs/s | deliveries/s | server CPU (cores) | deliveries per CPU-s | p50 ms | p95 ms ")
          .append("| p99 ms | max ms | |\n|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
      for (Step s : r.steps()) {
        Latency l = s.latency();
        row(md, number(s.offeredMsgsPerSec()), number(s.deliveriesPerSec()), cores(s.serverCores()),
            number(s.deliveriesPerCpuSecond()), duration(l.p50Ms()), duration(l.p95Ms()), duration(l.p99Ms()),
            duration(l.maxMs()), s.saturated() ? "saturated" : "");
      }
      md.append('\n');
    }
    if (!r.figures().isEmpty()) {
      md.append("| figure | value |\n|---|--:|\n");
      keys(List.of(r.figures())).forEach(key -> row(md, figure(key).name(), value(key, r.figures())));
      md.append('\n');
    }
    md.append("Deliveries lost: ").append(r.lost()).append(", duplicated: ").append(r.duplicated()).append(".\n\n");
    if (!r.notes().isEmpty()) {
      md.append(r.notes().stream().map(note -> "- " + note).collect(Collectors.joining("\n", "", "\n\n")));
    }
  }

  private static Map<String, List<ScenarioResult>> byScenario(BenchRun run) {
    return run.results().stream()
        .collect(Collectors.groupingBy(ScenarioResult::scenario, LinkedHashMap::new, Collectors.toList()));
  }

  private static boolean stepped(List<ScenarioResult> results) {
    return results.stream().anyMatch(r -> !r.steps().isEmpty());
  }

  private static Set<String> keys(List<Map<String, Double>> figures) {
    Set<String> keys = new TreeSet<>(BY_ORDER);
    figures.forEach(f -> keys.addAll(f.keySet()));
    return keys;
  }

  private static void add(String key, String name, String shortName, DoubleFunction<String> format) {
    FIGURES.put(key, new Figure(name, shortName, format));
  }

  private static Figure figure(String key) {
    return FIGURES.getOrDefault(key, new Figure(key, key, BenchReport::number));
  }

  private static String value(String key, Map<String, Double> figures) {
    Double value = figures.get(key);
    return value == null ? NONE : figure(key).format().apply(value);
  }

  private static String kib(double bytes) {
    return decimal("#,##0.0", bytes / 1024);
  }

  private static String cores(double value) {
    return decimal("0.00", value);
  }

  /** Milliseconds or seconds: two decimals for small values, where they matter, one above. */
  private static String duration(double value) {
    return decimal(Math.abs(value) < 10 ? "0.00" : "#,##0.0", value);
  }

  private static String decimal(String pattern, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return NONE;
    }
    DecimalFormat format = new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    format.setRoundingMode(RoundingMode.HALF_UP); // as people round, not the banker's default
    return format.format(value);
  }

  private static String text(String value) {
    return value == null || value.isBlank() ? NONE : value;
  }

  private static void row(StringBuilder md, String... cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
