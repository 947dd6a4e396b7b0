// npm `ws` echo server on Node for bench/websocket_bench.ts: text echoed as
// text, binary as binary, permessage-deflate off. `ws` is loaded from the
// folder given as the first argument (installed there by bench/_ws_peers.ts,
// never into the repository), and the server refuses to start unless `ws`
// masks with the native `bufferutil` add-on: without it `ws` is slower than
// Deno's own server and the comparison would flatter us.
// Prints its port, then serves until stdin closes.
import { createRequire } from "node:module";
import path from "node:path";

const prefix = process.argv[2];
if (!prefix) throw new Error("Usage: node ws_node_echo.mjs NODE_MODULES_PREFIX");
const require = createRequire(path.join(path.resolve(prefix), "/"));
const wsDir = path.dirname(require.resolve("ws/package.json"));
// The same module instance `ws` uses internally (the cache is keyed by file name).
const bufferUtil = require(path.join(wsDir, "lib", "buffer-util.js"));
const addOn = createRequire(path.join(wsDir, "/"))("bufferutil");
if (bufferUtil.unmask.name === "_unmask" || !String(addOn.unmask).includes("[native code]")) {
  throw new Error("Cannot start the ws server: ws does not use the native bufferutil add-on");
}
const { WebSocketServer } = require("ws");

const server = new WebSocketServer({
  host: "127.0.0.1",
  port: 0,
  backlog: 4096,
  perMessageDeflate: false,
  maxPayload: 64 << 20,
});
server.on("connection", (socket) => {
  socket.on("error", () => {});
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on("listening", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
