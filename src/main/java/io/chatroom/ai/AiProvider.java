package io.chatroom.ai;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * A language model that writes a chat completion as a stream of text. {@link OpenAiCompatibleProvider} speaks
 * to any OpenAI-compatible server; tests use fakes. The assistant's rules (what to ask, limits, retries, the
 * circuit breaker) live outside, so every provider gets them alike.
 *
 * <p>Guarantees: call {@link #stream} on a Vert.x context. {@code onDelta} is called on that context, in
 * order, never after {@link Call#done()} has completed. A call ends exactly once: {@code done()} succeeds with
 * the {@link Completion}, or fails with a {@link ProviderException} (the provider refused, could not be
 * reached, or the stream broke off), also after {@link Call#cancel()}.
 */
public interface AiProvider {
  /** Starts one completion of {@code prompt}; each piece of text the model writes goes to {@code onDelta}. */
  Call stream(List<Turn> prompt, Consumer<String> onDelta);

  /** One running completion. */
  interface Call {
    Future<Completion> done();

    /** Abandons the call; {@code done()} then fails with kind {@code CANCELLED} unless it had ended. Idempotent. */
    void cancel();
  }

  /** One message of the prompt: {@code role} is {@value #SYSTEM}, {@value #USER} or {@value #ASSISTANT}. */
  record Turn(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
  }

  /**
   * How a stream ended normally.
   *
   * @param promptTokens     the provider's count of prompt tokens; null when it did not report usage
   * @param completionTokens the provider's count of answer tokens; null when it did not report usage
   * @param finishReason     {@code stop}, {@code length} (the answer hit max_tokens), ...; null when not given
   */
  record Completion(Integer promptTokens, Integer completionTokens, String finishReason) {
    public boolean cutByLength() {
      return "length".equals(finishReason);
    }
  }
}
