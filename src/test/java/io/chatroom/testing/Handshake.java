package io.chatroom.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket opening handshake written by hand, for tests about refused upgrades: the JDK client hides
 * the status, headers and body of a refusal, and will not send an Origin header.
 */
public final class Handshake {
  private Handshake() {}

  /** The server's answer: status line, headers (lower-case names, one per line) and body. */
  public record Answer(String status, String headers, String body) {
    public boolean switched() {
      return status.contains(" 101 ");
    }
  }

  public static Answer upgrade(int port, Map<String, String> extraHeaders) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      StringBuilder request = new StringBuilder("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n");
      extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      s.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      StringBuilder headers = new StringBuilder();
      int length = 0;
      for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
        String lower = line.toLowerCase(Locale.ROOT);
        headers.append(lower).append('\n');
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring(15).trim());
        }
      }
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      return new Answer(status, headers.toString(), new String(body, 0, read));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
