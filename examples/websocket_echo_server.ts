/**
 * Seed Example 5 and Example 14: a WebSocket echo server whose connections
 * are cosockets, and clients that connect to it. It runs on the HTTP
 * server (`servcon`), which also serves a plain page from the same port;
 * WebSocket requests are handed to `upgrade`, as an LSP page would do.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_echo_server.ts`
 */
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { connect, upgrade, type WsMessageWriter } from "@cosocket/websocket";

/** One request: a page for browsers, an echo for WebSocket clients. */
function* serve(request: ServerRequest, response: ServerResponse) {
  if (request.headers.get("upgrade") === null) {
    response.headers.set("content-type", "text/html");
    yield* response.send("<!doctype html><p>Connect a WebSocket to this address.</p>\n");
    return;
  }
  const ws = yield* upgrade(request, { protocols: ["echo"] });
  let piece;
  let writer: WsMessageWriter | null = null;
  // The seed's read: pieces as they trickle in (a large message arrives in
  // many), streamed back as they come, one outgoing message per message.
  while ((piece = yield* ws.read()) !== null) {
    writer ??= ws.writer(piece.utf8);
    if (piece.final && piece.bytesRead === piece.frameLength) {
      yield* writer.end(piece.data);
      writer = null;
    } else {
      yield* writer.write(piece.data);
    }
  }
  console.log(`server: client closed with ${ws.closeCode} "${ws.closeReason}"`);
}

await using server = servcon(0, serve, { hostname: "127.0.0.1" });
const port = server.port;
console.log(`echo server on ws://127.0.0.1:${port}/`);

const page = await fetch(`http://127.0.0.1:${port}/`);
console.log("plain HTTP:", page.status, (await page.text()).trim());

await Promise.all([1, 2, 3].map(async (n) => {
  const ws = await connect(`ws://127.0.0.1:${port}/`, { protocols: ["echo"] });
  await ws.write(`hello from client ${n}`, true);
  console.log(`client ${n} (${ws.protocol}):`, await ws.readMessage());
  await ws.send(new Uint8Array([n, n, n]));
  console.log(`client ${n}:`, await ws.readMessage());
  // A 1 MiB message reaches the server in many pieces and comes back whole.
  const big = new Uint8Array(1 << 20).fill(n);
  await ws.write(big);
  const echoed = (await ws.readMessage()) as Uint8Array;
  console.log(
    `client ${n}: 1 MiB echoed intact:`,
    echoed.length === big.length && echoed.every((b) => b === n),
  );
  await ws.close(1000, `client ${n} done`);
}));
