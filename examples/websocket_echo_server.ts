/**
 * Seed Example 5 and Example 14: a WebSocket echo server whose connections
 * are cosockets, and clients that connect to it. The server also serves a
 * plain HTTP page from the same port (`readRequest` first, then `upgrade`
 * for WebSocket requests), as an LSP page would.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_echo_server.ts`
 */
import { bind, type Socket } from "@cosocket/socket";
import { connect, readRequest, upgrade, type WsMessageWriter } from "@cosocket/websocket";

/** One connection: a page for browsers, an echo for WebSocket clients. */
function* serve(sock: Socket) {
  const request = yield* readRequest(sock);
  if (request === null) return;
  if (request.headers.get("upgrade") === null) {
    const page = "<!doctype html><p>Connect a WebSocket to this address.</p>\n";
    yield* sock.write(
      `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${page.length}\r\n\r\n${page}`,
    );
    return;
  }
  const ws = yield* upgrade(sock, { request, protocols: ["echo"] });
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

await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
  let sock;
  while ((sock = yield* listener.accept()) !== null) sock.event(serve);
});
const port = server.sockname().port;
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
