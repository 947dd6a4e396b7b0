/**
 * The Deno.serve adapter: a WebSocket accepted by Deno's own HTTP server,
 * used through the same socket API as ours (here as a cosocket), with our
 * client on the other end.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_deno_serve.ts`
 */
import { connect, upgradeWebSocket, type WebSocketConnection } from "@cosocket/websocket";

function* shout(ws: WebSocketConnection) {
  let message;
  while ((message = yield* ws.readMessage()) !== null) {
    yield* ws.send(typeof message === "string" ? `${message.toUpperCase()}!` : message);
  }
}

await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
  const { socket, response } = upgradeWebSocket(request);
  socket.event(shout);
  return response;
});

const ws = await connect(`ws://127.0.0.1:${server.addr.port}/`);
for (const word of ["hello", "deno", "serve"]) {
  await ws.send(word);
  console.log(await ws.readMessage());
}
await ws.close(1000);
