/**
 * Seed Example 2: a blocking WebSocket client in RPC style: connect, send a
 * message, wait for the answer, close. The seed talks to a public echo
 * server; this one starts a local server that upper-cases text, with HTTP
 * Basic authentication (seed "WebSocket authentication").
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_rpc_client.ts`
 */
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { connect, upgrade, WebSocketError } from "@cosocket/websocket";

const expected = `Basic ${btoa("ada:lovelace")}`;

function* service(request: ServerRequest, response: ServerResponse) {
  if (request.headers.get("authorization") !== expected) {
    response.status = 401;
    response.headers.set("www-authenticate", 'Basic realm="rpc"');
    return;
  }
  const ws = yield* upgrade(request);
  let message;
  while ((message = yield* ws.readMessage()) !== null) {
    yield* ws.send(typeof message === "string" ? message.toUpperCase() : message);
  }
}

await using server = servcon(0, service, { hostname: "127.0.0.1" });
const url = `ws://127.0.0.1:${server.port}/rpc`;

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
