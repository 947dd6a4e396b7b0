// The WebSocket client through proxies (the seed's WebSocket started by the HTTP client with a
// proxy): HTTP CONNECT through tinyproxy and SOCKS5 through microsocks, ws:// and wss://.
import { equal, rejects } from "node:assert/strict";
import { connect } from "@cosocket/websocket";
import { microsocks, tinyproxy } from "../http/_peers.ts";
import { assertNoSockets, certs, ourServer } from "./_peers.ts";

Deno.test("WebSocket client through tinyproxy (CONNECT) and microsocks (SOCKS5), ws:// and wss://", async () => {
  {
    await using plain = ourServer();
    await using secure = ourServer({ tls: true });
    await using http = await tinyproxy();
    await using socks = await microsocks();
    for (
      const proxy of [{ host: "127.0.0.1", port: http.port }, {
        host: "127.0.0.1",
        port: socks.port,
        type: "socks5" as const,
      }]
    ) {
      for (
        const [server, url] of [[plain, plain.url("/p")], [
          secure,
          secure.url("/s", "localhost"),
        ]] as const
      ) {
        await using ws = await connect(url, { proxy, caCerts: [certs.ca] });
        await ws.write(`via ${proxy.type ?? "http"}`, true);
        equal(await ws.readMessage(), `via ${proxy.type ?? "http"}`);
        await ws.close();
        (await server.next()).ended.then(() => {});
      }
    }
    // The option is honoured: a proxy that is not there means no connection.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const nowhere = (closed.addr as Deno.NetAddr).port;
    closed.close();
    await rejects(
      Promise.resolve(connect(plain.url("/x"), { proxy: { host: "127.0.0.1", port: nowhere } })),
    );
  }
  await assertNoSockets();
});
