// Reference peer: Node's socket.io 4.8 doing the benchmark's broadcast (auth {room}; "write" ->
// seq per room, "event" to the whole room, ack {ok, seq}). Loopback only.
//   node peers/node_socketio.mjs PORT
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2]);
const http = createServer((req, res) => res.end("ok"));
const io = new Server(http, { perMessageDeflate: false, serveClient: false });
const seqs = new Map();

io.on("connection", (socket) => {
  const room = String(socket.handshake.auth?.room ?? "");
  socket.join(room);
  socket.on("write", (data, ack) => {
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    io.to(room).emit("event", { seq, type: data?.name, at: Date.now() / 1000, changes: data });
    if (typeof ack === "function") ack({ ok: true, seq });
  });
});
http.listen(port, "127.0.0.1");
