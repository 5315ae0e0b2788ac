package io.chatroom.ai;

import io.vertx.core.Future;
import java.util.List;

/**
 * How often each question was asked, for admins ({@code GET /api/admin/ai/hot}). Questions are counted in
 * their normalised form (see {@link Question#normalize}), without asker or room. Implementations:
 * {@link LocalHotQuestions} (this node since it started), {@link RedisHotQuestions} (every node together).
 */
public interface HotQuestions {
  /** Counts one asking of {@code question}. Never fails and never waits: a lost count is not worth a delay. */
  void count(String question);

  /** The most asked questions, most asked first, at most {@code limit}. */
  Future<List<Entry>> top(int limit);

  record Entry(String question, long count) {}
}
