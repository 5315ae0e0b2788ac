package io.chatroom.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the assistant ({@code @ai} questions): which OpenAI-compatible provider to ask and how much.
 *
 * @param apiKey              bearer token for the provider; null when unset (never logged)
 * @param baseUrl             the provider's API base, ending in '/': requests go to {@code <baseUrl>chat/completions}
 * @param systemPrompt        what the model is told before the conversation
 * @param ratePerMinute       questions each user may ask per minute (all nodes together when they share Redis)
 * @param maxConcurrent       provider calls this node makes at once
 * @param queueSize           questions that may wait for a free call on this node; beyond it, refused
 * @param contextTokens       estimated token budget of the prompt: system prompt, recent conversation and question
 * @param maxAnswerTokens     the {@code max_tokens} asked of the provider
 * @param connectTimeoutMs    to open a connection to the provider
 * @param firstTokenTimeoutMs for the first token of an answer, and for each later one (a stalled stream)
 * @param timeoutMs           for a whole answer, retries included
 * @param maxRetries          retries of a call refused with 429 or 5xx (or unreachable) before any token arrived
 * @param breakerFailures     failed answers in a row that open the circuit breaker
 * @param breakerCooldownMs   how long an open breaker refuses at once before it lets one probe through
 */
public record AiSettings(
    String apiKey,
    String baseUrl,
    String model,
    String systemPrompt,
    double ratePerMinute,
    int maxConcurrent,
    int queueSize,
    int contextTokens,
    int maxAnswerTokens,
    long connectTimeoutMs,
    long firstTokenTimeoutMs,
    long timeoutMs,
    int maxRetries,
    int breakerFailures,
    long breakerCooldownMs) {

  public static final String DEFAULT_BASE_URL = "https://open.bigmodel.cn/api/paas/v4/";
  public static final String DEFAULT_MODEL = "glm-4-flash";
  public static final String DEFAULT_SYSTEM_PROMPT = "You are ai, the assistant in a chat room. Earlier messages of the room"
      + " are given as 'name: text'. Answer the last question briefly, in plain text, in the language it was asked in.";

  /** Reads the AI_* variables; a bad value ends start-up with a {@link ConfigException} naming the fix. */
  static AiSettings load(Map<String, String> env) {
    String key = value(env, "AI_API_KEY", null);
    String base = value(env, "AI_BASE_URL", DEFAULT_BASE_URL);
    if (!base.matches("https?://[^/?#]+(/[^?#]*)?")) {
      throw new ConfigException("AI_BASE_URL", "'" + base + "' is not an http(s) URL",
          "use the provider's OpenAI-compatible base URL, e.g. https://api.openai.com/v1/ or http://127.0.0.1:11434/v1/");
    }
    return new AiSettings(key, base.endsWith("/") ? base : base + "/",
        value(env, "AI_MODEL", DEFAULT_MODEL),
        value(env, "AI_SYSTEM_PROMPT", DEFAULT_SYSTEM_PROMPT),
        number(env, "AI_RATE_PER_MINUTE", "5", false),
        (int) number(env, "AI_MAX_CONCURRENT", "4", false),
        (int) number(env, "AI_QUEUE_SIZE", "8", true),
        (int) number(env, "AI_CONTEXT_TOKENS", "3000", false),
        (int) number(env, "AI_MAX_ANSWER_TOKENS", "1024", false),
        millis(env, "AI_CONNECT_TIMEOUT_SECONDS", "5"),
        millis(env, "AI_FIRST_TOKEN_TIMEOUT_SECONDS", "30"),
        millis(env, "AI_TIMEOUT_SECONDS", "120"),
        (int) number(env, "AI_MAX_RETRIES", "2", true),
        (int) number(env, "AI_BREAKER_FAILURES", "5", false),
        millis(env, "AI_BREAKER_COOLDOWN_SECONDS", "30"));
  }

  /**
   * Whether questions are sent anywhere: with an API key, or without one to a provider on this machine
   * (Ollama, llama.cpp and vLLM on loopback need none). A remote provider without a key would refuse every
   * call, so the assistant stays off and says which variable to set.
   */
  public boolean enabled() {
    return apiKey != null || isLoopback(baseUrl);
  }

  /** Whether {@code url} names this machine by a loopback literal (no name is resolved: start-up must not block on DNS). */
  static boolean isLoopback(String url) {
    String host;
    try {
      host = URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.equals("[::1]") || h.equals("::1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The key stays out of logs and error messages. */
  @Override
  public String toString() {
    return "AiSettings[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "unset" : "***") + "]";
  }

  private static String value(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static long millis(Map<String, String> env, String name, String fallback) {
    return Math.max(1, Math.round(number(env, name, fallback, false) * 1000));
  }

  private static double number(Map<String, String> env, String name, String fallback, boolean zeroAllowed) {
    String v = value(env, name, fallback);
    try {
      double d = Double.parseDouble(v);
      if (Double.isFinite(d) && (d > 0 || zeroAllowed && d == 0)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ConfigException(name, "'" + v + "' is not a " + (zeroAllowed ? "non-negative" : "positive") + " number",
        "use a " + (zeroAllowed ? "number of 0 or more" : "positive number") + ", e.g. " + fallback);
  }
}
