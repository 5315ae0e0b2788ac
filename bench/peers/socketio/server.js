// The reference Socket.IO 4.8.4 server for `chatroom bench compare`: the same room semantics as chatroom
// (join a room, send to it, every member including the sender gets the message with a per-room seq, the
// sender gets an ack with that seq), held in memory only. It is deliberately the plain, idiomatic server a
// team would write with Socket.IO: no persistence, no auth beyond a name, default options except the transport.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.env.PORT || process.argv[2] || 3000);
const httpServer = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"UP"}');
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, { transports: ["websocket"], serveClient: false });
const lastSeq = new Map();

io.on("connection", (socket) => {
  const user = String((socket.handshake.auth && socket.handshake.auth.user) || socket.id);
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack({ room, lastSeq: lastSeq.get(room) || 0 });
  });
  socket.on("send", (msg, ack) => {
    if (!msg || !socket.rooms.has(msg.room)) {
      if (typeof ack === "function") ack({ error: "not_member" });
      return;
    }
    const seq = (lastSeq.get(msg.room) || 0) + 1;
    lastSeq.set(msg.room, seq);
    const ts = Date.now();
    io.to(msg.room).emit("message", { room: msg.room, seq, from: user, text: msg.text, ts, clientMsgId: msg.clientMsgId });
    if (typeof ack === "function") ack({ seq, ts });
  });
});

httpServer.listen(port, "127.0.0.1", () => console.log(`socket.io ${require("socket.io/package.json").version} listening on 127.0.0.1:${port}`));
