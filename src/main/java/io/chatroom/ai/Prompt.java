package io.chatroom.ai;

import io.chatroom.message.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * What the provider is asked: the system prompt, as much of the room's recent conversation as fits the token
 * budget (the newest messages, without gaps: a sliding window), and the question. The assistant's own earlier
 * answers are its turns, so follow-up questions work; everybody else's messages are user turns written
 * {@code name: text}. Turns of one role in a row are merged, because some models' chat templates refuse
 * anything but user and assistant taking turns.
 *
 * <p>The question itself goes without the asker's name, so that the same question in the same context is the
 * same prompt whoever asks it, and {@link #cacheKey} can share the answer.
 */
final class Prompt {
  /** The most messages read for context: beyond 50, a chat's topic has usually moved on anyway. */
  static final int MAX_HISTORY = 50;

  private final List<AiProvider.Turn> turns;
  private final String cacheKey;
  private final int estimatedTokens;
  private final int historyUsed;

  private Prompt(List<AiProvider.Turn> turns, String cacheKey, int estimatedTokens, int historyUsed) {
    this.turns = turns;
    this.cacheKey = cacheKey;
    this.estimatedTokens = estimatedTokens;
    this.historyUsed = historyUsed;
  }

  /**
   * Tokens as providers count them are model-specific; about four characters a token holds for English
   * and errs on the safe side for code, and each message costs a few more for its role and framing.
   */
  static int estimateTokens(String text) {
    return (text.length() + 3) / 4 + 4;
  }

  /**
   * @param history   messages before the question, ascending; only the newest that fit are used
   * @param assistant the username whose messages are the assistant's own turns
   */
  static Prompt build(String model, String systemPrompt, int budgetTokens, List<Message> history, Question question,
      String assistant) {
    int used = estimateTokens(systemPrompt) + estimateTokens(question.text());
    Deque<Message> window = new ArrayDeque<>();
    for (int i = history.size() - 1; i >= 0; i--) {
      Message m = history.get(i);
      int cost = estimateTokens(line(m, assistant));
      if (used + cost > budgetTokens) {
        break;
      }
      used += cost;
      window.addFirst(m);
    }
    List<AiProvider.Turn> turns = new ArrayList<>();
    turns.add(new AiProvider.Turn(AiProvider.Turn.SYSTEM, systemPrompt));
    String role = null;
    StringBuilder pending = new StringBuilder();
    for (Message m : window) {
      String next = m.from().equals(assistant) ? AiProvider.Turn.ASSISTANT : AiProvider.Turn.USER;
      if (role == null && next.equals(AiProvider.Turn.ASSISTANT)) {
        continue; // the conversation opens with a user turn
      }
      if (role != null && !role.equals(next)) {
        turns.add(new AiProvider.Turn(role, pending.toString()));
        pending.setLength(0);
      }
      if (pending.length() > 0) {
        pending.append('\n');
      }
      pending.append(line(m, assistant));
      role = next;
    }
    List<AiProvider.Turn> context = List.copyOf(turns.subList(1, turns.size()));
    String pendingContext = AiProvider.Turn.USER.equals(role) ? pending.toString() : null;
    if (AiProvider.Turn.ASSISTANT.equals(role)) {
      turns.add(new AiProvider.Turn(role, pending.toString()));
    }
    // the question closes the last user turn, set apart from what others said before it
    turns.add(new AiProvider.Turn(AiProvider.Turn.USER, pendingContext == null ? question.text() : pendingContext + "\n\n" + question.text()));
    String key = key(model, systemPrompt, context, role, pending.toString(), question.normalized());
    return new Prompt(List.copyOf(turns), key, used, window.size());
  }

  private static String line(Message m, String assistant) {
    return m.from().equals(assistant) ? m.text() : m.from() + ": " + m.text();
  }

  /**
   * The answer cache's key: a SHA-256 of everything the answer depends on (model, system prompt, the
   * context exactly, the question normalised). So a cached answer is only ever served for the same
   * question in the same conversation: in a fresh room or direct message, or after the same exchange.
   */
  private static String key(String model, String systemPrompt, List<AiProvider.Turn> context, String lastRole, String last,
      String normalizedQuestion) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {model, systemPrompt}) {
        update(digest, part);
      }
      for (AiProvider.Turn t : context) {
        update(digest, t.role());
        update(digest, t.content());
      }
      update(digest, lastRole == null ? "" : lastRole);
      update(digest, last);
      update(digest, normalizedQuestion);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each part with its length first, so no two different sequences of parts hash alike. */
  private static void update(MessageDigest digest, String part) {
    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
    digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
    digest.update(bytes);
  }

  List<AiProvider.Turn> turns() {
    return turns;
  }

  String cacheKey() {
    return cacheKey;
  }

  int estimatedTokens() {
    return estimatedTokens;
  }

  /** How many of the history's messages made it into the window. */
  int historyUsed() {
    return historyUsed;
  }
}
