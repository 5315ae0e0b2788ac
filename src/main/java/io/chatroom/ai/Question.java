package io.chatroom.ai;

import io.chatroom.message.Message;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A committed message the assistant answers: one that starts with {@code @ai} and a space (any room), or
 * any message in a direct-message room with the user {@code ai}.
 *
 * @param seq  the question's seq: the answer's {@code replyTo}
 * @param text what is asked, without the {@code @ai} prefix
 */
record Question(long roomId, String room, long seq, long userId, String from, String text) {
  private static final Pattern MENTION = Pattern.compile("^@ai\\s+(.*)$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern DIRECT = Pattern.compile("dm-(\\d+)-(\\d+)");
  private static final Pattern TRAILING = Pattern.compile("[\\s?!.。？！]+$");
  /** Hot-question entries are for reading at a glance, not for storing whole essays. */
  static final int MAX_NORMALIZED = 200;

  /**
   * The question in {@code m}, or null when it asks nothing of the assistant.
   *
   * @param aiUserId the id of the user {@code ai}; its own messages never ask anything
   * @param system   the server's own author (alerts in the ops room); never asks anything either
   */
  static Question of(Message m, long aiUserId, String system) {
    if (m.userId() == aiUserId || m.from().equals(system) || m.replyTo() != null) {
      return null;
    }
    Matcher mention = MENTION.matcher(m.text());
    String asked = mention.matches() ? mention.group(1).strip() : null;
    if (asked == null && isDirectWith(m.room(), aiUserId)) {
      asked = m.text().strip();
    }
    return asked == null || asked.isEmpty() ? null : new Question(m.roomId(), m.room(), m.seq(), m.userId(), m.from(), asked);
  }

  /** Whether {@code room} is the direct-message room of some user with {@code userId} (named dm-low-high). */
  static boolean isDirectWith(String room, long userId) {
    Matcher dm = DIRECT.matcher(room);
    if (!dm.matches()) {
      return false;
    }
    try {
      return Long.parseLong(dm.group(1)) == userId || Long.parseLong(dm.group(2)) == userId;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The form under which repeats of a question are recognised: Unicode-normalised (NFKC), lower case,
   * runs of white space as one space, without trailing punctuation. "What is a monad?" and "what is a
   * monad" are the same question.
   */
  String normalized() {
    return normalize(text);
  }

  /** The normalised question as the hot-question list shows it: at most {@value #MAX_NORMALIZED} characters. */
  String hotKey() {
    String n = normalized();
    if (n.length() <= MAX_NORMALIZED) {
      return n;
    }
    int end = Character.isHighSurrogate(n.charAt(MAX_NORMALIZED - 1)) ? MAX_NORMALIZED - 1 : MAX_NORMALIZED;
    return n.substring(0, end) + "…";
  }

  static String normalize(String text) {
    String n = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    return TRAILING.matcher(n).replaceAll("");
  }
}
