package io.chatroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartTest {
  private static final double WIDTH = SvgChart.RIGHT - SvgChart.LEFT;
  private static final double HEIGHT = SvgChart.BOTTOM - SvgChart.TOP;

  private static Step step(double deliveries, double p99, boolean saturated) {
    return new Step(deliveries / 10, deliveries, 10, 5, new Latency(100, p99, p99, p99, p99), saturated);
  }

  private static ScenarioResult result(String server, Step... steps) {
    return new ScenarioResult("rooms", server, Map.of(), List.of(steps), Map.of(), 0, 0, List.of());
  }

  // load ends at 100,000 deliveries/s; latency spans 0.1 to 100 ms, three decades: the largest p99 is 33 ms,
  // so the axis ends at the next power of ten
  private static final List<ScenarioResult> RESULTS = List.of(
      result("chatroom", step(25_000, 1, false), step(50_000, 1, false), step(100_000, 10, true)),
      result("socketio", step(20_000, 0, false), step(40_000, 100 / 3.0, true)));

  private static Document parse(String svg) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> elements(Document doc, String tag) {
    NodeList nodes = doc.getElementsByTagName(tag);
    List<Element> elements = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      elements.add((Element) nodes.item(i));
    }
    return elements;
  }

  private static List<String> texts(Document doc) {
    return elements(doc, "text").stream().map(Element::getTextContent).toList();
  }

  private static double number(Element e, String attribute) {
    return Double.parseDouble(e.getAttribute(attribute));
  }

  @Test
  void theChartIsWellFormedSvgWithOneLinePerServer() throws Exception {
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms", RESULTS));

    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getDocumentElement().getAttribute("width")).isEqualTo("640");
    assertThat(elements(doc, "polyline")).hasSize(2);
    assertThat(texts(doc)).contains("rooms", "chatroom", "Socket.IO 4.8.4", "saturated", "deliveries/s");
  }

  @Test
  void pointsSitWhereTheLinearLoadAndLogLatencyScalesPutThem() throws Exception {
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms", RESULTS));
    List<Element> points = elements(doc, "circle").stream().filter(c -> c.getAttribute("class").startsWith("point"))
        .toList();

    assertThat(points).hasSize(5);
    Element half = points.get(1); // 50,000 deliveries/s at 1 ms: half way across, one decade up
    assertThat(number(half, "cx")).isCloseTo(SvgChart.LEFT + WIDTH / 2, within(0.05));
    assertThat(number(half, "cy")).isCloseTo(SvgChart.BOTTOM - HEIGHT / 3, within(0.05));
    Element top = points.get(2); // 100,000 at 10 ms: the right edge, two decades up
    assertThat(number(top, "cx")).isCloseTo(SvgChart.RIGHT, within(0.05));
    assertThat(number(top, "cy")).isCloseTo(SvgChart.BOTTOM - HEIGHT * 2 / 3, within(0.05));
    Element zero = points.get(3); // 0 ms cannot be drawn on a log scale: it sits on the axis
    assertThat(number(zero, "cx")).isCloseTo(SvgChart.LEFT + WIDTH / 5, within(0.05));
    assertThat(number(zero, "cy")).isCloseTo(SvgChart.BOTTOM, within(0.05));

    String firstLine = elements(doc, "polyline").get(0).getAttribute("points");
    assertThat(firstLine.split(" ")).hasSize(3);
    assertThat(firstLine).startsWith(String.format(Locale.ROOT, "%.1f,%.1f",
        SvgChart.LEFT + WIDTH / 4, SvgChart.BOTTOM - HEIGHT / 3));
  }

  @Test
  void saturatedStepsAreHollowAndTheOthersFilled() throws Exception {
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms", RESULTS));
    List<Element> points = elements(doc, "circle").stream().filter(c -> c.getAttribute("class").startsWith("point"))
        .toList();

    assertThat(points).extracting(p -> p.getAttribute("class")).containsExactly(
        "point", "point", "point saturated", "point", "point saturated");
    assertThat(points).extracting(p -> p.getAttribute("fill")).containsExactly(
        "#1f77b4", "#1f77b4", "white", "#d62728", "white");
    assertThat(points.get(2).getAttribute("stroke")).isEqualTo("#1f77b4");
  }

  @Test
  void theTargetLineIsDashedAtFiftyMilliseconds() throws Exception {
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms", RESULTS));
    Element target = elements(doc, "line").stream().filter(l -> "target".equals(l.getAttribute("class")))
        .findFirst().orElseThrow();

    double expected = SvgChart.BOTTOM - Math.log10(50 / 0.1) / 3 * HEIGHT;
    assertThat(number(target, "y1")).isCloseTo(expected, within(0.05));
    assertThat(number(target, "y2")).isCloseTo(expected, within(0.05));
    assertThat(number(target, "x1")).isEqualTo(SvgChart.LEFT);
    assertThat(number(target, "x2")).isEqualTo(SvgChart.RIGHT);
    assertThat(target.getAttribute("stroke-dasharray")).isNotEmpty();
    assertThat(texts(doc)).contains("p99 target 50 ms");
  }

  @Test
  void theLatencyAxisIsLabelledAtPowersOfTenUpToTheLargestP99RoundedUp() throws Exception {
    List<String> small = texts(parse(SvgChart.latencyAgainstLoad("rooms", RESULTS)));
    assertThat(small).contains("0.1", "1", "10", "100").doesNotContain("1,000");

    List<ScenarioResult> slow = List.of(result("chatroom", step(1_000, 2, false), step(2_000, 1_234, true)));
    assertThat(texts(parse(SvgChart.latencyAgainstLoad("rooms", slow)))).contains("1,000", "10,000")
        .doesNotContain("100,000");
  }

  @Test
  void theLoadAxisEndsAtTheFirstRoundTickPastTheLargestLoad() throws Exception {
    // 130,000 / 5 ticks rounds up to ticks of 50,000, and the third one covers the largest load
    List<ScenarioResult> results = List.of(result("chatroom", step(1_000, 1, false), step(130_000, 2, false)));
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms", results));

    assertThat(texts(doc)).contains("0", "50,000", "100,000", "150,000").doesNotContain("130,000", "200,000");
    Element last = elements(doc, "circle").stream().filter(c -> c.getAttribute("class").startsWith("point"))
        .reduce((first, second) -> second).orElseThrow();
    assertThat(number(last, "cx")).isCloseTo(SvgChart.LEFT + WIDTH * 130 / 150, within(0.05));
    assertThat(SvgChart.niceCeiling(100_000)).isEqualTo(100_000);
    assertThat(SvgChart.niceCeiling(100_001)).isEqualTo(200_000);
    assertThat(SvgChart.niceCeiling(3)).isEqualTo(5);
    assertThat(SvgChart.niceCeiling(0.7)).isEqualTo(1);
  }

  @Test
  void textIsEscaped() throws Exception {
    List<ScenarioResult> results = List.of(result("a<b", step(1, 1, false)));
    Document doc = parse(SvgChart.latencyAgainstLoad("rooms <10> & \"friends\"", results));

    assertThat(texts(doc)).contains("rooms <10> & \"friends\"", "a<b");
  }

  @Test
  void noStepsStillMakeAValidChart() throws Exception {
    Document doc = parse(SvgChart.latencyAgainstLoad("empty", List.of(result("chatroom"))));

    assertThat(elements(doc, "polyline")).hasSize(1);
  }
}
