package io.chatroom.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatroom.config.AiSettings;
import io.chatroom.config.Config;
import io.chatroom.config.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AI_* settings as an operator writes them. */
class AiConfigurationTest {
  @TempDir
  Path dataDir;

  private AiSettings load(String... env) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      map.put(env[i], env[i + 1]);
    }
    return Config.load(new Config.Flags(null, null, dataDir.toString(), null), map).ai();
  }

  @Test
  void byDefaultItAsksGlm4FlashAndIsOffUntilAKeyIsSet() {
    AiSettings defaults = load();
    assertThat(defaults.baseUrl()).isEqualTo("https://open.bigmodel.cn/api/paas/v4/");
    assertThat(defaults.model()).isEqualTo("glm-4-flash");
    assertThat(defaults.ratePerMinute()).isEqualTo(5);
    assertThat(defaults.maxConcurrent()).isEqualTo(4);
    assertThat(defaults.enabled()).isFalse();
    assertThat(load("AI_API_KEY", "k").enabled()).isTrue();
  }

  @Test
  void aProviderOnThisMachineNeedsNoKeyAndARemoteOneDoes() {
    assertThat(load("AI_BASE_URL", "http://127.0.0.1:11434/v1").enabled()).isTrue();
    assertThat(load("AI_BASE_URL", "http://localhost:8080/v1/").enabled()).isTrue();
    assertThat(load("AI_BASE_URL", "http://[::1]:8000/v1/").enabled()).isTrue();
    assertThat(load("AI_BASE_URL", "https://api.openai.com/v1/").enabled()).isFalse();
    assertThat(load("AI_BASE_URL", "http://127.0.0.1.example.com/v1/").enabled()).isFalse();
  }

  @Test
  void theBaseUrlGetsItsTrailingSlashAndTheKeyStaysOutOfLogs() {
    AiSettings s = load("AI_BASE_URL", "http://127.0.0.1:11434/v1", "AI_API_KEY", "sk-secret", "AI_MODEL", "llama3.2");
    assertThat(s.baseUrl()).isEqualTo("http://127.0.0.1:11434/v1/");
    assertThat(s.model()).isEqualTo("llama3.2");
    assertThat(s.toString()).doesNotContain("sk-secret");
    assertThat(load("AI_FIRST_TOKEN_TIMEOUT_SECONDS", "0.5").firstTokenTimeoutMs()).isEqualTo(500);
    assertThat(load("AI_QUEUE_SIZE", "0", "AI_MAX_RETRIES", "0").queueSize()).isZero();
  }

  @Test
  void aBadValueNamesTheSettingAndTheFix() {
    assertThatThrownBy(() -> load("AI_BASE_URL", "open.bigmodel.cn")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AI_BASE_URL: ").hasMessageContaining("https://");
    assertThatThrownBy(() -> load("AI_RATE_PER_MINUTE", "0")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AI_RATE_PER_MINUTE: ");
    assertThatThrownBy(() -> load("AI_MAX_CONCURRENT", "four")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AI_MAX_CONCURRENT: ");
    assertThatThrownBy(() -> load("AI_QUEUE_SIZE", "-1")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AI_QUEUE_SIZE: ");
  }
}
