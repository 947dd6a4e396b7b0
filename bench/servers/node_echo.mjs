// Node's net echo server (pipe each socket to itself), for the benchmarks.
import net from "node:net";

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on("error", () => {});
  socket.pipe(socket);
});
server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  console.log(server.address().port);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
