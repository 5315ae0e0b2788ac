package io.chatroom.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The web client's files, read from the jar once at start-up and served from memory: no file system access
 * on the event loop. Names are not hashed, so every response says {@code no-cache} and carries a strong
 * ETag; a browser revalidates each file and gets a 304 with no body when it has not changed.
 */
public final class WebAssets {
  static final String ROOT = "web";
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json");

  private record Asset(Buffer body, String type, String etag) {}

  private final Map<String, Asset> assets;

  private WebAssets(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** Reads every file under {@value #ROOT}/ on the classpath. Blocking: call at start-up. */
  public static WebAssets load() {
    URL index = WebAssets.class.getClassLoader().getResource(ROOT + "/index.html");
    if (index == null) {
      throw new IllegalStateException("the web client is missing from the classpath (" + ROOT + "/index.html)");
    }
    try {
      URI uri = index.toURI();
      if (uri.getScheme().equals("jar")) {
        String jar = uri.getSchemeSpecificPart();
        Path jarPath = Path.of(URI.create(jar.substring(0, jar.indexOf("!/"))));
        try (FileSystem fs = FileSystems.newFileSystem(jarPath)) {
          return new WebAssets(read(fs.getPath("/" + ROOT)));
        }
      }
      return new WebAssets(read(Path.of(uri).getParent()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Asset> read(Path root) throws IOException {
    Map<String, Asset> assets = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = "/" + root.relativize(file).toString().replace('\\', '/');
        byte[] bytes = Files.readAllBytes(file);
        String ext = name.substring(name.lastIndexOf('.') + 1);
        assets.put(name, new Asset(Buffer.buffer(bytes), TYPES.getOrDefault(ext, "application/octet-stream"), etag(bytes)));
      }
    }
    return Map.copyOf(assets);
  }

  private static String etag(byte[] bytes) {
    try {
      return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean has(String path) {
    return assets.containsKey(key(path));
  }

  private static String key(String path) {
    return path.equals("/") ? "/index.html" : path;
  }

  /** Serves the file at the request path ("/" is index.html), which {@link #has} must have confirmed. */
  void serve(RoutingContext ctx) {
    Asset asset = assets.get(key(ctx.request().path()));
    ctx.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader(HttpHeaders.ETAG, asset.etag());
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      ctx.response().setStatusCode(304).end();
    } else {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, asset.type()).end(asset.body());
    }
  }
}
