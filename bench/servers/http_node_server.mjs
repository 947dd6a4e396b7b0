// The one HTTP server every client of bench/http_client_bench.ts talks to:
// Node's http module, keep-alive, "/small" (14 bytes), "/big" (1 MiB),
// "/huge" (256 MiB, streamed) and PUT (counts the bytes it receives).
// Prints its port; exits when stdin closes.
import http from "node:http";

const small = Buffer.from("Hello, world!\n");
const big = Buffer.alloc(1 << 20, 0x61);
const server = http.createServer((req, res) => {
  if (req.url === "/huge") {
    // 256 MiB, written in 1 MiB pieces as the client takes them.
    res.writeHead(200, { "content-length": 256 * big.length });
    let left = 256;
    const more = () => {
      while (left > 0) {
        left--;
        if (!res.write(big)) return res.once("drain", more);
      }
      res.end();
    };
    return more();
  }
  if (req.method === "PUT") {
    let length = 0;
    req.on("data", (chunk) => length += chunk.length);
    req.on("end", () => res.end(String(length)));
    return;
  }
  const body = req.url === "/big" ? big : small;
  res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
