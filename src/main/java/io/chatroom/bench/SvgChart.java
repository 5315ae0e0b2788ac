package io.chatroom.bench;

import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * p99 latency against delivered load for one stepped scenario, one line per server, as a self-contained SVG (no
 * fonts, scripts or styles from elsewhere, so it shows the same in a browser, an editor and a repository viewer).
 * Load is linear from 0; latency is log10 from {@link #MIN_MS}, because the interesting part spans 1 ms to seconds.
 */
final class SvgChart {
  static final int WIDTH = 640;
  static final int HEIGHT = 400;
  // the plot area; the margins hold tick labels, axis titles and the legend
  static final double LEFT = 70;
  static final double RIGHT = 600;
  static final double TOP = 40;
  static final double BOTTOM = 310;
  /** The bottom of the latency axis: below a tenth of a millisecond the measurement is noise. */
  static final double MIN_MS = 0.1;
  /** The p99 the benchmark holds servers to, drawn so readers see each line's margin. */
  static final double TARGET_MS = 50;
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  /** The most ticks on the load axis; fewer when a round tick size reaches the largest load sooner. */
  private static final int X_TICKS = 5;

  private SvgChart() {}

  /** Maps data to pixels; values at or below an axis minimum sit on that axis. */
  private record Scale(double loadEnd, double loadTick, double msEnd) {
    double x(double deliveriesPerSec) {
      return LEFT + atLeast(deliveriesPerSec, 0) / loadEnd * (RIGHT - LEFT);
    }

    double y(double ms) {
      return BOTTOM - Math.log10(atLeast(ms, MIN_MS) / MIN_MS) / Math.log10(msEnd / MIN_MS) * (BOTTOM - TOP);
    }

    private static double atLeast(double value, double min) {
      return value > min ? value : min; // NaN fails the comparison and sits on the axis too
    }
  }

  /**
   * The chart of {@code results}, drawn in their order: a polyline and markers per result, saturated steps hollow.
   * The x axis ends at the first tick at or past the largest load, ticks being 1, 2 or 5 times a power of ten; the
   * y axis ends at the largest p99 rounded up to a power of ten, and at least past the target line.
   */
  static String latencyAgainstLoad(String title, List<ScenarioResult> results) {
    double maxLoad = results.stream().flatMap(r -> r.steps().stream()).mapToDouble(Step::deliveriesPerSec)
        .filter(v -> v > 0).max().orElse(1);
    double maxP99 = results.stream().flatMap(r -> r.steps().stream()).mapToDouble(s -> s.latency().p99Ms())
        .filter(v -> v > TARGET_MS).max().orElse(TARGET_MS);
    double loadTick = niceCeiling(maxLoad / X_TICKS);
    // the tolerance keeps 0.07 / 0.01 = 7.000000000000001 from adding an empty tick
    double loadEnd = Math.ceil(maxLoad / loadTick - 1e-9) * loadTick;
    Scale scale = new Scale(loadEnd, loadTick, Math.pow(10, Math.ceil(Math.log10(maxP99))));

    StringBuilder svg = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(svg, WIDTH / 2.0, 24, "middle", title, " font-size=\"15\" font-weight=\"bold\"");
    axes(svg, scale);
    double target = scale.y(TARGET_MS);
    svg.append("<line class=\"target\" x1=\"").append(px(LEFT)).append("\" y1=\"").append(px(target))
        .append("\" x2=\"").append(px(RIGHT)).append("\" y2=\"").append(px(target))
        .append("\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n");
    // at the left, where the lines are still low: they rise to the right
    text(svg, LEFT + 6, target - 5, "start", "p99 target " + BenchReport.number(TARGET_MS) + " ms", " fill=\"#666\"");
    for (int i = 0; i < results.size(); i++) {
      series(svg, scale, results.get(i), COLOURS[i % COLOURS.length]);
    }
    legend(svg, results);
    return svg.append("</svg>\n").toString();
  }

  private static void axes(StringBuilder svg, Scale scale) {
    for (int power = -1; Math.pow(10, power) <= scale.msEnd(); power++) {
      double ms = Math.pow(10, power);
      double y = scale.y(ms);
      line(svg, LEFT, y, RIGHT, y, "#ddd");
      text(svg, LEFT - 6, y + 4, "end", BenchReport.number(ms), "");
    }
    for (int i = 0; i <= Math.round(scale.loadEnd() / scale.loadTick()); i++) {
      double load = i * scale.loadTick();
      double x = scale.x(load);
      line(svg, x, BOTTOM, x, BOTTOM + 5, "#333");
      text(svg, x, BOTTOM + 18, "middle", BenchReport.number(load), "");
    }
    svg.append("<rect x=\"").append(px(LEFT)).append("\" y=\"").append(px(TOP)).append("\" width=\"")
        .append(px(RIGHT - LEFT)).append("\" height=\"").append(px(BOTTOM - TOP))
        .append("\" fill=\"none\" stroke=\"#333\"/>\n");
    text(svg, (LEFT + RIGHT) / 2, BOTTOM + 40, "middle", "deliveries/s", "");
    double middle = (TOP + BOTTOM) / 2;
    text(svg, 18, middle, "middle", "p99 latency (ms, log scale)",
        " transform=\"rotate(-90 18 " + px(middle) + ")\"");
  }

  private static void series(StringBuilder svg, Scale scale, ScenarioResult result, String colour) {
    StringJoiner points = new StringJoiner(" ");
    result.steps().forEach(s -> points.add(px(scale.x(s.deliveriesPerSec())) + "," + px(scale.y(s.latency().p99Ms()))));
    svg.append("<polyline points=\"").append(points).append("\" fill=\"none\" stroke=\"").append(colour)
        .append("\" stroke-width=\"2\"/>\n");
    for (Step s : result.steps()) {
      marker(svg, s.saturated() ? "point saturated" : "point", scale.x(s.deliveriesPerSec()),
          scale.y(s.latency().p99Ms()), colour, s.saturated());
    }
  }

  private static void legend(StringBuilder svg, List<ScenarioResult> results) {
    double x = LEFT;
    double y = HEIGHT - 16;
    for (int i = 0; i < results.size(); i++) {
      String colour = COLOURS[i % COLOURS.length];
      String name = BenchReport.label(results.get(i).server());
      svg.append("<line x1=\"").append(px(x)).append("\" y1=\"").append(px(y)).append("\" x2=\"").append(px(x + 20))
          .append("\" y2=\"").append(px(y)).append("\" stroke=\"").append(colour).append("\" stroke-width=\"2\"/>\n");
      marker(svg, "legend", x + 10, y, colour, false);
      text(svg, x + 26, y + 4, "start", name, "");
      x += 50 + 7 * name.length(); // about the width of a 12 px sans-serif character
    }
    marker(svg, "legend", x + 10, y, "#333", true);
    text(svg, x + 20, y + 4, "start", "saturated", "");
  }

  private static void marker(StringBuilder svg, String kind, double x, double y, String colour, boolean hollow) {
    svg.append("<circle class=\"").append(kind).append("\" cx=\"").append(px(x)).append("\" cy=\"").append(px(y))
        .append("\" r=\"3.5\" fill=\"").append(hollow ? "white" : colour).append("\" stroke=\"").append(colour)
        .append("\" stroke-width=\"1.5\"/>\n");
  }

  private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour) {
    svg.append("<line x1=\"").append(px(x1)).append("\" y1=\"").append(px(y1)).append("\" x2=\"").append(px(x2))
        .append("\" y2=\"").append(px(y2)).append("\" stroke=\"").append(colour).append("\"/>\n");
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String content, String extra) {
    svg.append("<text x=\"").append(px(x)).append("\" y=\"").append(px(y)).append("\" text-anchor=\"").append(anchor)
        .append('"').append(extra).append('>').append(escape(content)).append("</text>\n");
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code value}, so ticks fall on round numbers. */
  static double niceCeiling(double value) {
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    double mantissa = value / power;
    return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
  }

  private static String px(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
