/**
 * Seed Example 5 and Example 14: a WebSocket echo server whose connections
 * are cosockets, and clients that connect to it. The server also serves a
 * plain HTTP page from the same port (`readRequest` first, then `upgrade`
 * for WebSocket requests), as an LSP page would.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_echo_server.ts`
 */
import { bind, type Socket } from "@cosocket/socket";
import { connect, readRequest, upgrade } from "@cosocket/websocket";

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
  // The seed's read: pieces as they trickle in, echoed frame by frame.
  while ((piece = yield* ws.read()) !== null) {
    if (piece.bytesRead === piece.frameLength && piece.final) {
      yield* ws.write(piece.data, piece.utf8);
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
  await ws.close(1000, `client ${n} done`);
}));
