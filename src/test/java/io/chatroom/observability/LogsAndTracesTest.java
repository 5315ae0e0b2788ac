package io.chatroom.observability;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.testing.Await;
import io.chatroom.testing.Http;
import io.chatroom.testing.TestDatabases;
import io.chatroom.testing.TestServer;
import io.chatroom.testing.WsClient;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** JSON logs with correlation keys and no secrets, the access log, and the spans of the message path. */
class LogsAndTracesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;
  final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  OutputStreamAppender<ILoggingEvent> capture;
  Level rootLevel;

  @BeforeEach
  void captureJsonLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    capture = new OutputStreamAppender<>();
    capture.setContext(context);
    capture.setEncoder(Logging.encoder(Logging.Format.JSON, context));
    capture.setOutputStream(logBytes);
    capture.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.DEBUG);
    root.addAppender(capture);
  }

  @AfterEach
  void release() {
    ch.qos.logback.classic.Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender(capture);
    root.setLevel(rootLevel);
    capture.stop();
  }

  /** The first access log line for {@code route}, or null while there is none. */
  private JsonNode accessLine(String route) {
    try {
      return logLines().stream()
          .filter(l -> l.path("logger").asText().equals("chatroom.access") && l.path("route").asText().equals(route))
          .findFirst().orElse(null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<JsonNode> logLines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    String text;
    synchronized (logBytes) {
      text = logBytes.toString(StandardCharsets.UTF_8);
    }
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void aLogLineIsOneJsonObjectWithTheCorrelationKeys() throws Exception {
    Logger log = LoggerFactory.getLogger("io.chatroom.test");
    MDC.put("request_id", "req-1");
    try (LogContext ignored = LogContext.of(LogContext.USER_ID, "42", LogContext.SESSION_ID, "s-1",
        LogContext.ROOM, "general", LogContext.TRACE_ID, "abc123", "skipped", null)) {
      log.warn("something {}", "happened");
    } finally {
      MDC.remove("request_id");
    }
    assertThat(MDC.get(LogContext.USER_ID)).as("keys are removed after the block").isNull();
    JsonNode line = logLines().stream().filter(l -> l.path("logger").asText().equals("io.chatroom.test")).findFirst().orElseThrow();
    assertThat(line.path("message").asText()).isEqualTo("something happened");
    assertThat(line.path("level").asText()).isEqualTo("WARN");
    assertThat(line.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(line.path("request_id").asText()).isEqualTo("req-1");
    assertThat(line.path("user_id").asText()).isEqualTo("42");
    assertThat(line.path("session_id").asText()).isEqualTo("s-1");
    assertThat(line.path("room").asText()).isEqualTo("general");
    assertThat(line.path("trace_id").asText()).isEqualTo("abc123");
    assertThat(line.has("skipped")).isFalse();
  }

  @Test
  void theMessagePathIsTracedAndTheAccessLogCarriesTheTraceButNoSecret() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    String password = "password-alice"; // what Http.register uses
    String secretText = "the eagle lands at midnight";
    try (TestServer server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir), Map.of(), spans)) {
      Http http = server.http();
      Http.Account alice = http.register("alice");
      http.post("/api/auth/login", null, Map.of("username", "alice", "password", password));
      http.post("/api/auth/login", null, Map.of("username", "alice", "password", "wrong-" + password));
      try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
        ws.join("general");
        ws.send("general", secretText, "c1");
        ws.messages("general", 1);
      }
      assertThat(http.get("/api/rooms/general/messages", alice.token()).status()).isEqualTo(200);
      Await.until(() -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals("fanout"))
          && spans.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals("GET /api/rooms/:name/messages")));

      List<SpanData> finished = spans.getFinishedSpanItems();
      SpanData send = named(finished, "ws.send");
      SpanData commit = named(finished, "store.commit");
      SpanData fanout = named(finished, "fanout");
      assertThat(send.getKind()).isEqualTo(SpanKind.SERVER);
      assertThat(commit.getParentSpanId()).isEqualTo(send.getSpanId());
      assertThat(fanout.getParentSpanId()).isEqualTo(commit.getSpanId());
      assertThat(commit.getTraceId()).isEqualTo(send.getTraceId()).isEqualTo(fanout.getTraceId());
      assertThat(commit.getAttributes().asMap().toString()).contains("chat.batch_size");
      SpanData httpSpan = named(finished, "GET /api/rooms/:name/messages");
      assertThat(httpSpan.getAttributes().asMap().toString()).contains("http.route=/api/rooms/:name/messages", "http.response.status_code=200");

      // the request's span ends just before its access line is written: wait for the line too
      Await.until(() -> accessLine("/api/rooms/:name/messages") != null);
      String raw;
      synchronized (logBytes) {
        raw = logBytes.toString(StandardCharsets.UTF_8);
      }
      assertThat(raw).as("logs never hold passwords, tokens or message texts")
          .doesNotContain(password, alice.token(), secretText);
      JsonNode accessLine = java.util.Optional.ofNullable(accessLine("/api/rooms/:name/messages"))
          .orElseThrow(() -> new AssertionError("no access log line for the history request:\n" + raw));
      assertThat(accessLine.path("method").asText()).isEqualTo("GET");
      assertThat(accessLine.path("status").asInt()).isEqualTo(200);
      assertThat(accessLine.path("duration_ms").isNumber()).isTrue();
      assertThat(accessLine.path("request_id").asText()).isNotBlank();
      assertThat(accessLine.path("user_id").asText()).isNotBlank();
      assertThat(accessLine.path("trace_id").asText()).isEqualTo(httpSpan.getTraceId());
    }
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans.stream().map(SpanData::getName).toList()));
  }

  @Test
  void withoutAnExporterSpansStillHaveTraceIdsForTheLogs() {
    try (Tracing tracing = Tracing.create(null, "test")) {
      io.opentelemetry.api.trace.Span span = tracing.tracer().spanBuilder("x").startSpan();
      assertThat(Tracing.traceId(span)).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      span.end();
    }
  }

  @Test
  void spansGoToTheOtlpEndpointWhenOneIsSet() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer collector = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      // protobuf keeps strings as UTF-8 bytes, so span names can be found in the raw body
      received.add(req.method() + " " + req.path() + " " + req.getHeader("Content-Type") + " " + body.toString(StandardCharsets.ISO_8859_1));
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1"));
    try (TestServer server = TestServer.start(dataDir, TestDatabases.create(TestDatabases.Kind.SQLITE, dataDir),
        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.actualPort()))) {
      Http.Account alice = server.http().register("alice");
      try (WsClient ws = WsClient.connect(server.port(), alice.token())) {
        ws.join("general");
        ws.send("general", "traced", "t1");
      }
      Await.until(() -> received.stream().anyMatch(r -> r.contains("ws.send")));
      assertThat(received).allSatisfy(r -> assertThat(r).startsWith("POST /v1/traces application/x-protobuf"));
    } finally {
      vertx.close();
    }
  }
}
