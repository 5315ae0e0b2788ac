package io.chatroom.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures logging once at start-up from the validated settings, replacing the development defaults
 * of logback.xml: JSON lines (or text) on stdout, plus rotated files when a log directory is set.
 */
public final class Logging {
  /** Log files roll daily and at this size; older ones are compressed. */
  static final String MAX_FILE_SIZE = "100MB";
  static final String TOTAL_SIZE_CAP = "5GB";

  private Logging() {}

  /** The settings that shape logging; {@code dir} null means stdout only. */
  public record Settings(Format format, String level, Path dir, int retentionDays) {}

  public enum Format { JSON, TEXT }

  public static void configure(Settings settings) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(settings.level(), Level.INFO));
    // chatty libraries: their INFO lines are start-up noise, their warnings still matter
    for (String quiet : new String[] {"com.zaxxer.hikari", "org.flywaydb", "io.netty", "io.opentelemetry"}) {
      context.getLogger(quiet).setLevel(Level.WARN);
    }

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setName("stdout");
    root.addAppender(start(console, context, encoder(settings.format(), context)));

    if (settings.dir() != null) {
      RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
      file.setName("file");
      file.setContext(context);
      file.setFile(settings.dir().resolve("chatroom.log").toString());
      SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
      policy.setContext(context);
      policy.setParent(file);
      policy.setFileNamePattern(settings.dir().resolve("chatroom.%d{yyyy-MM-dd}.%i.log.gz").toString());
      policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
      policy.setMaxHistory(settings.retentionDays());
      policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_CAP));
      policy.start();
      file.setRollingPolicy(policy);
      root.addAppender(start(file, context, encoder(settings.format(), context)));
    }
  }

  /**
   * Changes the level of everything but the quiet libraries while running (a configuration reload); the
   * appenders stay as configured.
   */
  public static void setLevel(String level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
  }

  private static Appender<ILoggingEvent> start(
      ch.qos.logback.core.OutputStreamAppender<ILoggingEvent> appender, LoggerContext context, Encoder<ILoggingEvent> encoder) {
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  /**
   * One JSON object per line: timestamp, level, logger, thread, message, the MDC keys (request_id, user_id,
   * session_id, room, trace_id) and structured arguments (the access log's method, route, status, duration_ms).
   */
  public static Encoder<ILoggingEvent> encoder(Format format, LoggerContext context) {
    if (format == Format.TEXT) {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{24} - %msg%n");
      text.start();
      return text;
    }
    LogstashEncoder json = new LogstashEncoder();
    json.setContext(context);
    LogstashFieldNames names = json.getFieldNames();
    names.setTimestamp("timestamp");
    names.setLogger("logger");
    names.setThread("thread");
    names.setVersion("[ignore]");
    names.setLevelValue("[ignore]");
    json.setTimestampPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
    json.setTimeZone("UTC");
    json.start();
    return json;
  }
}
