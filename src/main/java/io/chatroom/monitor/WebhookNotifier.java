package io.chatroom.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alerts as JSON to a webhook: our own generic shape, or Slack's incoming-webhook shape
 * ({@code {"text": ...}}, which Mattermost and Rocket.Chat accept too). A failed delivery (network error,
 * 5xx or 429) is retried with exponential backoff on Vert.x timers, so nothing ever waits on it.
 */
public final class WebhookNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int ATTEMPTS = 5;
  static final long MAX_BACKOFF_MS = 60_000;

  public enum Format { GENERIC, SLACK }

  private final Vertx vertx;
  private final HttpClient client;
  private final String url;
  private final Format format;
  private final long firstBackoffMs;

  /** @param firstBackoffMs wait before the first retry; each later wait doubles (tests pass a few ms) */
  public WebhookNotifier(Vertx vertx, String url, Format format, long firstBackoffMs) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    this.url = url;
    this.format = format;
    this.firstBackoffMs = firstBackoffMs;
  }

  @Override
  public Future<Void> notify(AlertEvent event, String node) {
    Buffer body;
    try {
      body = Buffer.buffer(JSON.writeValueAsBytes(payload(event, node)));
    } catch (JsonProcessingException e) {
      return Future.failedFuture(e);
    }
    Promise<Void> done = Promise.promise();
    // the HTTP client must be driven from a Vert.x context: called from a plain thread, a response on a
    // reused keep-alive connection can be lost and the future never completes (seen with Vert.x 5.0.7)
    Context context = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
    context.runOnContext(v -> attempt(body, 1, firstBackoffMs, done));
    return done.future().onFailure(e -> log.warn("alert {} not delivered to the {} webhook: {}",
        event.rule(), format.name().toLowerCase(java.util.Locale.ROOT), e.getMessage()));
  }

  private void attempt(Buffer body, int attempt, long backoffMs, Promise<Void> done) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader("Content-Type", "application/json").setIdleTimeout(10_000);
    client.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(ignored -> resp.statusCode()))
        .onComplete(ar -> {
          int status = ar.succeeded() ? ar.result() : -1;
          if (status >= 200 && status < 300) {
            done.complete();
            return;
          }
          boolean retryable = status < 0 || status >= 500 || status == 429;
          String why = ar.succeeded() ? "HTTP " + status : String.valueOf(ar.cause().getMessage());
          if (!retryable || attempt >= ATTEMPTS) {
            done.fail(why + (retryable ? " after " + attempt + " attempts" : " (not retried)"));
            return;
          }
          log.debug("webhook attempt {} failed ({}); retrying in {} ms", attempt, why, backoffMs);
          vertx.setTimer(backoffMs, id -> attempt(body, attempt + 1, Math.min(backoffMs * 2, MAX_BACKOFF_MS), done));
        });
  }

  private Map<String, Object> payload(AlertEvent event, String node) {
    if (format == Format.SLACK) {
      String icon = event.state() == AlertEvent.State.RESOLVED ? ":white_check_mark:"
          : event.severity() == AlertRule.Severity.CRITICAL ? ":rotating_light:" : ":warning:";
      return Map.of("text", icon + " " + event.text(node));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", "chatroom");
    m.put("node", node);
    m.putAll(event.toJson());
    m.put("text", event.text(node));
    m.put("sent_at", Instant.now().toString());
    return m;
  }
}
