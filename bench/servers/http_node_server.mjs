// The one HTTP server every client of bench/http_client_bench.ts talks to:
// Node's http module, keep-alive, "/small" (14 bytes) and "/big" (1 MiB).
// Prints its port; exits when stdin closes.
import http from "node:http";

const small = Buffer.from("Hello, world!\n");
const big = Buffer.alloc(1 << 20, 0x61);
const server = http.createServer((req, res) => {
  const body = req.url === "/big" ? big : small;
  res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
