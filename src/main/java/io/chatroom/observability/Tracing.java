package io.chatroom.observability;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry for one node. Spans are always created, so every log line of a traced request carries
 * its trace id; they leave the process only when an OTLP endpoint is configured. Without one an ended
 * span is simply dropped: a few allocations per message.
 */
public final class Tracing implements AutoCloseable {
  public static final String SCOPE = "io.chatroom";

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk.getTracer(SCOPE);
  }

  /**
   * @param otlpEndpoint base URL of an OTLP/HTTP collector (OTEL_EXPORTER_OTLP_ENDPOINT), e.g.
   *                     http://127.0.0.1:4318; spans go to its /v1/traces. Null: no export.
   */
  public static Tracing create(String otlpEndpoint, String serviceName) {
    SdkTracerProviderBuilder provider = SdkTracerProvider.builder().setResource(resource(serviceName));
    if (otlpEndpoint != null) {
      String base = otlpEndpoint.endsWith("/") ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1) : otlpEndpoint;
      SpanExporter exporter = OtlpHttpSpanExporter.builder()
          .setEndpoint(base + "/v1/traces")
          .setTimeout(Duration.ofSeconds(5))
          .build();
      provider.addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofSeconds(1)).build());
    } else {
      // with no processor at all the SDK hands out invalid spans, and logs would lose their trace ids
      provider.addSpanProcessor(new DropEverything());
    }
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider.build()).build());
  }

  /** Exports every span synchronously to {@code exporter}; for tests that inspect spans. */
  public static Tracing withExporter(SpanExporter exporter, String serviceName) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource(serviceName))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    return new Tracing(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
  }

  private static Resource resource(String serviceName) {
    return Resource.getDefault().merge(Resource.create(Attributes.of(
        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), serviceName)));
  }

  /** Keeps spans valid (real trace ids) while exporting nothing. */
  private static final class DropEverything implements SpanProcessor {
    @Override
    public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }

  public Tracer tracer() {
    return tracer;
  }

  /** The span's trace id for log lines, or null when it has none. */
  public static String traceId(Span span) {
    SpanContext context = span == null ? null : span.getSpanContext();
    return context != null && context.isValid() ? context.getTraceId() : null;
  }

  /** Flushes what is buffered (bounded wait) and stops exporting. */
  @Override
  public void close() {
    sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
  }
}
