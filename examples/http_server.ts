/**
 * The HTTP server (seed `ba.create.servcon`) with the seed's
 * request/response handler as a cosocket: a page, a JSON API, a streamed
 * response, server-sent events, a WebSocket, and a reverse proxy (seed
 * `ba.create.redirector`) mounted under /api/legacy/ in front of a second
 * server written in the WHATWG style, exactly as it would be for
 * `Deno.serve`. Local routes come first; the proxy answers what they do not.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/http_server.ts`
 */
import {
  redirector,
  servcon,
  serve,
  type ServerRequest,
  type ServerResponse,
  sse,
} from "@cosocket/http";
import { sleep } from "@cosocket/socket";
import { connect, upgrade } from "@cosocket/websocket";

// A backend in the WHATWG style: the signature of Deno.serve's handler.
await using legacy = serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
  const url = new URL(request.url);
  return Response.json({
    legacy: true,
    path: url.pathname,
    via: request.headers.get("x-forwarded-for"),
  });
});
const proxy = redirector(`http://127.0.0.1:${legacy.addr.port}/v1/`, { prefix: "/api/legacy/" });

function* app(request: ServerRequest, response: ServerResponse) {
  switch (request.pathname) {
    case "/":
      response.headers.set("content-type", "text/html; charset=utf-8");
      return yield* response.send("<!doctype html><h1>cosocket</h1>\n");
    case "/api/hello": {
      const name = request.query.get("name") ?? "world";
      response.headers.set("content-type", "application/json");
      return yield* response.send(JSON.stringify({ hello: name, method: request.method }));
    }
    case "/count":
      // Streamed: each flush goes out as a chunk, paced by the client.
      for (let i = 1; i <= 3; i++) {
        yield* response.write(`${i}\n`);
        yield* response.flush();
        yield* sleep(10);
      }
      return;
    case "/events": {
      const events = yield* sse(request);
      for (let i = 1; i <= 3; i++) {
        yield* events.send({ event: "tick", data: String(i), id: String(i) });
      }
      events.close();
      return;
    }
    case "/ws": {
      const ws = yield* upgrade(request);
      let message;
      while ((message = yield* ws.readMessage()) !== null) {
        yield* ws.write(`echo: ${message}`, true);
      }
      return;
    }
  }
  if (yield* proxy(request, response)) return;
  response.status = 404;
  yield* response.send("not found\n");
}

await using server = servcon(0, app, { hostname: "127.0.0.1" });
const base = `http://127.0.0.1:${server.port}`;
console.log(`listening on ${base}`);

console.log("page:", (await (await fetch(`${base}/`)).text()).trim());
console.log("api:", await (await fetch(`${base}/api/hello?name=Ada`)).json());
console.log("streamed:", (await (await fetch(`${base}/count`)).text()).split("\n").filter(Boolean));
const events = await (await fetch(`${base}/events`)).text();
console.log("events:", events.split("\n\n").filter(Boolean).map((e) => e.split("\n").at(-1)));
await using ws = await connect(`ws://127.0.0.1:${server.port}/ws`);
await ws.write("hi", true);
console.log("websocket:", await ws.readMessage());
console.log("proxied:", await (await fetch(`${base}/api/legacy/items?x=1`)).json());
console.log("missing:", (await fetch(`${base}/nope`)).status);
