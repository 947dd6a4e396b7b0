// Node's http module for bench/http_server_bench.ts: "/" answers "hello",
// "/1m" 1 MiB. Prints its port; exits when stdin closes.
import http from "node:http";

const hello = Buffer.from("hello");
const big = Buffer.alloc(1 << 20, 0x61);
const server = http.createServer((req, res) => {
  const body = req.url === "/1m" ? big : hello;
  res.writeHead(200, { "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.resume();
