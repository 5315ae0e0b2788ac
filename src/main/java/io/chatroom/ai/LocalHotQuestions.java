package io.chatroom.ai;

import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts in this node's memory, since it started. Bounded: once {@value #MAX_QUESTIONS} different questions
 * are held, those asked only once are forgotten to make room; the ones that matter are asked more often.
 */
public final class LocalHotQuestions implements HotQuestions {
  static final int MAX_QUESTIONS = 10_000;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  @Override
  public void count(String question) {
    if (counts.size() >= MAX_QUESTIONS && !counts.containsKey(question)) {
      counts.values().removeIf(n -> n.sum() <= 1);
      if (counts.size() >= MAX_QUESTIONS) {
        return;
      }
    }
    counts.computeIfAbsent(question, q -> new LongAdder()).increment();
  }

  @Override
  public Future<List<Entry>> top(int limit) {
    return Future.succeededFuture(counts.entrySet().stream()
        .map(e -> new Entry(e.getKey(), e.getValue().sum()))
        .sorted(Comparator.comparingLong(Entry::count).reversed().thenComparing(Entry::question))
        .limit(limit)
        .toList());
  }
}
