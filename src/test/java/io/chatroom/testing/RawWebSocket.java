package io.chatroom.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately misbehaving WebSocket client over a plain socket: it can stop reading, never answer
 * pings, or send frames no library would. Only for tests against loopback servers.
 */
public final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  /** A received frame: opcode and payload. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  public RawWebSocket(int port, int receiveBufferBytes) throws IOException {
    socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    byte[] keyBytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(keyBytes);
    String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(keyBytes) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = readLine();
    if (!status.contains(" 101 ")) {
      throw new IOException("handshake refused: " + status);
    }
    while (!readLine().isEmpty()) {
      // skip response headers
    }
  }

  public void sendText(String text) throws IOException {
    sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one masked, final frame, as every client must mask. */
  public void sendFrame(int opcode, byte[] payload) throws IOException {
    sendFrame(opcode, payload, true);
  }

  /** Sends one masked frame; {@code fin} false leaves the message open for continuation frames (opcode 0). */
  public void sendFrame(int opcode, byte[] payload, boolean fin) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      long len = payload.length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (len >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next frame, or null when the server closed the TCP connection. */
  public Frame read() throws IOException {
    try {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      return new Frame(b0 & 0x0f, payload);
    } catch (EOFException e) {
      return null;
    }
  }

  /** Reads until a close frame arrives (returning its code) or the connection ends (-1). */
  public int readUntilClose() throws IOException {
    while (true) {
      Frame f;
      try {
        f = read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no close frame within the socket timeout");
      } catch (IOException reset) {
        return -1;
      }
      if (f == null) {
        return -1;
      }
      if (f.opcode() == 0x8) {
        return f.closeCode();
      }
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
