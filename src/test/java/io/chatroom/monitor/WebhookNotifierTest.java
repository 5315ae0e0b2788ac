package io.chatroom.monitor;

import static io.chatroom.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatroom.monitor.AlertEvent.State;
import io.chatroom.monitor.AlertRule.Severity;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivers alerts to a real HTTP server on loopback that answers with scripted status codes. The Vertx the
 * notifier gets is the real one behind a proxy that records each retry timer, so attempts are counted even
 * where no server sees them (connection refused).
 *
 * <p>notify() is called on a Vert.x context, as Monitor does (it calls it from an event-loop callback). Called
 * from a plain thread, a delivery over a reused keep-alive connection can hang forever in Vert.x 5.0.7 (the
 * response's end can race resp.body(), eclipse-vertx/vert.x#6038), which is not what these tests are about.
 */
class WebhookNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "node-a";
  private static final long BACKOFF_MS = 5;
  private static final AlertEvent FIRING = new AlertEvent("HighCpu", Severity.CRITICAL, State.FIRING,
      Figure.CPU_PERCENT, 97.5, 90, "CPU is saturated", true, 1_700_000_000_000L);

  private Vertx vertx;
  private Vertx timedVertx;
  private Context context;
  private final List<Long> retryDelays = new CopyOnWriteArrayList<>();
  /** What the server received, in order. */
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> methods = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  /** Status codes the server answers, in order; the last one repeats. */
  private final Deque<Integer> script = new ArrayDeque<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    timedVertx = (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class},
        (proxy, method, args) -> {
          if (method.getName().equals("setTimer")) {
            retryDelays.add((Long) args[0]);
          }
          try {
            return method.invoke(vertx, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private String startServer(Integer... statuses) throws Exception {
    script.addAll(List.of(statuses));
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(body -> {
          methods.add(req.method().name());
          contentTypes.add(String.valueOf(req.getHeader("Content-Type")));
          bodies.add(body.toString());
          int status;
          synchronized (script) {
            status = script.size() > 1 ? script.removeFirst() : script.getFirst();
          }
          req.response().setStatusCode(status).end();
        }));
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    return "http://127.0.0.1:" + port + "/hooks/alerts";
  }

  private WebhookNotifier notifier(String url, WebhookNotifier.Format format) {
    return new WebhookNotifier(timedVertx, url, format, BACKOFF_MS);
  }

  /** Has {@code notifier} deliver {@code event} from the test's Vert.x context. */
  private Future<Void> send(WebhookNotifier notifier, AlertEvent event) {
    Promise<Void> result = Promise.promise();
    context.runOnContext(v -> notifier.notify(event, NODE).onComplete(result));
    return result.future();
  }

  private static Throwable awaitFailure(Future<?> future) throws Exception {
    CompletableFuture<?> f = future.toCompletionStage().toCompletableFuture();
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the delivery succeeded but should have failed");
  }

  @Test
  void serverErrorsAreRetriedUntilDeliveredWithTheSameGenericBody() throws Exception {
    String url = startServer(500, 500, 200);

    await(send(notifier(url, WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(bodies).hasSize(3);
    assertThat(bodies).containsOnly(bodies.get(0));
    assertThat(methods).containsOnly("POST");
    assertThat(contentTypes).containsOnly("application/json");
    assertThat(retryDelays).containsExactly(BACKOFF_MS, 2 * BACKOFF_MS);

    JsonNode body = JSON.readTree(bodies.get(0));
    assertThat(body.path("source").asText()).isEqualTo("chatroom");
    assertThat(body.path("node").asText()).isEqualTo(NODE);
    assertThat(body.path("rule").asText()).isEqualTo("HighCpu");
    assertThat(body.path("severity").asText()).isEqualTo("critical");
    assertThat(body.path("state").asText()).isEqualTo("firing");
    assertThat(body.path("figure").asText()).isEqualTo("cpu_percent");
    assertThat(body.path("value").isNumber()).isTrue();
    assertThat(body.path("value").asDouble()).isEqualTo(97.5);
    assertThat(body.path("threshold").asDouble()).isEqualTo(90.0);
    assertThat(body.path("summary").asText()).isEqualTo("CPU is saturated");
    assertThat(body.path("text").asText()).isEqualTo(FIRING.text(NODE)).contains("HighCpu", NODE);
  }

  @Test
  void aServerThatKeepsFailingGetsExactlyAttemptsTries() throws Exception {
    String url = startServer(503);

    Throwable failure = awaitFailure(send(notifier(url, WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(failure).hasMessageContaining("503");
    assertThat(bodies).hasSize(WebhookNotifier.ATTEMPTS);
    // exponential backoff between them
    assertThat(retryDelays).containsExactly(BACKOFF_MS, 2 * BACKOFF_MS, 4 * BACKOFF_MS, 8 * BACKOFF_MS);
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    String url = startServer(400, 200);

    Throwable failure = awaitFailure(send(notifier(url, WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(failure).hasMessageContaining("400");
    assertThat(bodies).hasSize(1);
    assertThat(retryDelays).isEmpty();
  }

  @Test
  void tooManyRequestsIsRetried() throws Exception {
    String url = startServer(429, 200);

    await(send(notifier(url, WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(bodies).hasSize(2);
    assertThat(retryDelays).containsExactly(BACKOFF_MS);
  }

  @Test
  void theSlackFormatIsOnlyText() throws Exception {
    String url = startServer(200);
    WebhookNotifier slack = notifier(url, WebhookNotifier.Format.SLACK);
    AlertEvent warning = new AlertEvent("HighMemory", Severity.WARNING, State.FIRING, Figure.MEMORY_PERCENT, 88,
        85, "", true, 0);
    AlertEvent resolved = new AlertEvent("HighCpu", Severity.CRITICAL, State.RESOLVED, Figure.CPU_PERCENT, 40,
        90, "CPU is saturated", true, 0);

    await(send(slack, FIRING));
    await(send(slack, warning));
    await(send(slack, resolved));

    assertThat(bodies).hasSize(3);
    JsonNode firing = JSON.readTree(bodies.get(0));
    assertThat(firing.size()).isEqualTo(1);
    assertThat(firing.path("text").asText())
        .startsWith(":rotating_light: ")
        .endsWith(FIRING.text(NODE))
        .contains("HighCpu", NODE);
    assertThat(JSON.readTree(bodies.get(1)).path("text").asText()).startsWith(":warning: ").contains("HighMemory");
    assertThat(JSON.readTree(bodies.get(2)).path("text").asText())
        .startsWith(":white_check_mark: ").contains("HighCpu", "RESOLVED");
  }

  @Test
  void aRefusedConnectionIsRetriedAttemptsTimes() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }

    Throwable failure = awaitFailure(send(notifier("http://127.0.0.1:" + closedPort + "/hooks/alerts",
        WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(failure).isNotNull();
    // a retry timer after every attempt but the last
    assertThat(retryDelays).hasSize(WebhookNotifier.ATTEMPTS - 1);
  }

  @Test
  void aConnectionClosedWithoutAnswerIsRetriedAttemptsTimes() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    NetServer hangUp = vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      socket.close();
    });
    int port = await(hangUp.listen(0, "127.0.0.1")).actualPort();

    String url = "http://127.0.0.1:" + port + "/hooks/alerts";
    Throwable failure = awaitFailure(send(notifier(url, WebhookNotifier.Format.GENERIC), FIRING));

    assertThat(failure).isNotNull();
    assertThat(connections.get()).isEqualTo(WebhookNotifier.ATTEMPTS);
    assertThat(retryDelays).hasSize(WebhookNotifier.ATTEMPTS - 1);
  }
}
