// upgrade({ authorize }): a server decides before the handshake whether a
// request may have a WebSocket, and answers 401/403 with headers and a body
// when not; the request (path, query, headers, cookies) stays on the WsSocket.
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { bind, type Socket, sockstat } from "@cosocket/socket";
import { connect, upgrade, WebSocketError, type WsSocket } from "@cosocket/websocket";

function server(
  authorize: NonNullable<NonNullable<Parameters<typeof upgrade>[1]>["authorize"]>,
  onOpen: (ws: WsSocket) => void = () => {},
) {
  const outcomes: unknown[] = [];
  const listener = bind(0, { hostname: "127.0.0.1" }).event(function* (l: Socket) {
    let client;
    while ((client = yield* l.accept()) !== null) {
      client.event(function* (sock: Socket) {
        try {
          const ws = yield* upgrade(sock, { authorize });
          onOpen(ws);
          let message;
          while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
          outcomes.push("closed");
        } catch (error) {
          outcomes.push(error);
        }
      });
    }
  });
  return { listener, outcomes, port: listener.sockname().port };
}

/** Sends a raw upgrade request and returns the server's whole answer. */
async function rawAnswer(port: number, extra = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra +
      "\r\n",
  ));
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  let count;
  while ((count = await conn.read(buffer)) !== null) chunks.push(buffer.slice(0, count));
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("authorize: a Response answers the refused request with its status, headers and body", async () => {
  const s = server((request) =>
    request.headers.get("authorization") === "Bearer good" ? true : new Response("log in first", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="chat"' },
    })
  );
  const answer = await rawAnswer(s.port);
  ok(answer.startsWith("HTTP/1.1 401 Unauthorized\r\n"), answer);
  ok(/\r\nwww-authenticate: Bearer realm="chat"\r\n/i.test(answer), answer);
  ok(answer.endsWith("\r\n\r\nlog in first"), answer);
  await rejects(
    Promise.resolve(connect(`ws://127.0.0.1:${s.port}/chat`)),
    (error: unknown) => error instanceof WebSocketError && error.status === 401,
  );
  const ok2 = await connect(`ws://127.0.0.1:${s.port}/chat`, {
    headers: { authorization: "Bearer good" },
  });
  await ok2.send("hi");
  equal(await ok2.readMessage(), "hi");
  await ok2.close();
  await s.listener.close();
  const refused = s.outcomes.filter((o) => o instanceof WebSocketError);
  deepEqual(refused.map((e) => (e as WebSocketError).status), [401, 401]);
});

Deno.test("authorize: false is a plain 403; an async check is awaited", async () => {
  const s = server(async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return request.path.startsWith("/open");
  });
  const answer = await rawAnswer(s.port);
  ok(answer.startsWith("HTTP/1.1 403 Forbidden\r\n"), answer);
  const ws = await connect(`ws://127.0.0.1:${s.port}/open`);
  await ws.close();
  await s.listener.close();
});

Deno.test("authorize: the request, its query and cookies stay on the WsSocket", async () => {
  let seen: { path: string; room: string | null; session: string | undefined } | null = null;
  const s = server(
    (request) => (request.headers.get("cookie") ?? "").includes("session="),
    (ws) => {
      seen = {
        path: ws.request!.path,
        room: ws.query.get("room"),
        session: ws.cookies.get("session"),
      };
    },
  );
  const ws = await connect(`ws://127.0.0.1:${s.port}/chat?room=42`, {
    headers: { cookie: 'theme=dark; session="abc"; session=other' },
  });
  await ws.send("x");
  await ws.readMessage();
  deepEqual(seen, { path: "/chat?room=42", room: "42", session: "abc" });
  equal(ws.request, null);
  await ws.close();
  await s.listener.close();
  const { total, active } = sockstat();
  deepEqual({ total, active }, { total: 0, active: 0 });
});
