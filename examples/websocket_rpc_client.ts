/**
 * Seed Example 2: a blocking WebSocket client in RPC style: connect, send a
 * message, wait for the answer, close. The seed talks to a public echo
 * server; this one starts a local server that upper-cases text, with HTTP
 * Basic authentication (seed "WebSocket authentication").
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_rpc_client.ts`
 */
import { bind, type Socket } from "@cosocket/socket";
import { connect, readRequest, upgrade, WebSocketError } from "@cosocket/websocket";

const expected = `Basic ${btoa("ada:lovelace")}`;

function* service(sock: Socket) {
  const request = yield* readRequest(sock);
  if (request === null) return;
  if (request.headers.get("authorization") !== expected) {
    yield* sock.write(
      'HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Basic realm="rpc"\r\ncontent-length: 0\r\n\r\n',
    );
    return;
  }
  const ws = yield* upgrade(sock, { request });
  let message;
  while ((message = yield* ws.readMessage()) !== null) {
    yield* ws.send(typeof message === "string" ? message.toUpperCase() : message);
  }
}

await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
  let sock;
  while ((sock = yield* listener.accept()) !== null) sock.event(service);
});
const url = `ws://127.0.0.1:${server.sockname().port}/rpc`;

/** One remote call: the seed's blocking client, in async code. */
async function call(text: string): Promise<string> {
  await using ws = await connect(url, { credentials: { username: "ada", password: "lovelace" } });
  await ws.send(text);
  return (await ws.readMessage()) as string;
}

console.log(await call("hello from the rpc client"));
try {
  await connect(url);
} catch (error) {
  if (!(error instanceof WebSocketError)) throw error;
  console.log("without credentials:", error.status, error.message);
}
