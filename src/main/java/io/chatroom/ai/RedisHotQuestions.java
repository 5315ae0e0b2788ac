package io.chatroom.ai;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts shared by every node: one sorted set, {@code <prefix>:ai:hot}, question → count. It is trimmed to
 * the {@value #KEEP} most asked now and then, and expires after {@value #IDLE_DAYS} days without a question.
 */
public final class RedisHotQuestions implements HotQuestions {
  private static final Logger log = LoggerFactory.getLogger(RedisHotQuestions.class);
  static final int KEEP = 10_000;
  /** Trimming is a sort of the whole set: every 100th count is often enough to keep it near {@value #KEEP}. */
  static final int TRIM_EVERY = 100;
  static final int IDLE_DAYS = 30;

  private final Redis client;
  private final String key;
  private final AtomicLong counted = new AtomicLong();

  public RedisHotQuestions(Redis client, String prefix) {
    this.client = client;
    this.key = prefix + ":ai:hot";
  }

  @Override
  public void count(String question) {
    Future<Response> done = client.send(Request.cmd(Command.ZINCRBY).arg(key).arg(1).arg(question))
        .compose(r -> client.send(Request.cmd(Command.EXPIRE).arg(key).arg(IDLE_DAYS * 86_400L)));
    if (counted.incrementAndGet() % TRIM_EVERY == 0) {
      done = done.compose(r -> client.send(Request.cmd(Command.ZREMRANGEBYRANK).arg(key).arg(0).arg(-KEEP - 1)));
    }
    done.onFailure(e -> log.debug("could not count a hot question: {}", e.toString()));
  }

  @Override
  public Future<List<Entry>> top(int limit) {
    return client.send(Request.cmd(Command.ZREVRANGE).arg(key).arg(0).arg(limit - 1).arg("WITHSCORES"))
        .map(RedisHotQuestions::entries);
  }

  /** RESP3 answers [[member, score], ...]; RESP2 a flat [member, score, member, score, ...]. */
  private static List<Entry> entries(Response r) {
    List<Entry> out = new ArrayList<>();
    if (r == null) {
      return out;
    }
    boolean pairs = r.size() > 0 && r.get(0).type() == ResponseType.MULTI;
    if (pairs) {
      for (Response pair : r) {
        out.add(new Entry(pair.get(0).toString(), Math.round(pair.get(1).toDouble())));
      }
    } else {
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.add(new Entry(r.get(i).toString(), Math.round(r.get(i + 1).toDouble())));
      }
    }
    return out;
  }
}
