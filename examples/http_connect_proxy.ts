/**
 * An HTTP CONNECT proxy in a few lines, built on the server's `req2sock`
 * (the seed's raw HTTP tunnels): each CONNECT request becomes a raw socket
 * piped both ways to the host it names. Our HTTP client then fetches a page
 * through it with its `proxy` option, as it would through tinyproxy.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/http_connect_proxy.ts`
 */
import { httpc, req2sock, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { connect, type Socket, spawn } from "@cosocket/socket";

function* pipe(from: Socket, to: Socket) {
  let data;
  while ((data = yield* from.read()) !== null) yield* to.write(data as Uint8Array);
  to.close();
}

function* tunnel(request: ServerRequest, response: ServerResponse) {
  if (request.method !== "CONNECT") {
    response.status = 405;
    return;
  }
  const [host, port] = request.path.split(":");
  if (host !== "127.0.0.1") {
    response.status = 403; // only loopback in this example
    return;
  }
  const upstream = yield* connect(host, Number(port));
  const client = req2sock(request);
  yield* client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  console.log(`proxy: tunnel to ${request.path} for ${request.remoteAddr.address}`);
  spawn(() => pipe(upstream, client));
  yield* pipe(client, upstream);
}

await using site = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
  yield* response.send(`a page at ${request.path}, reached through the proxy`);
}, { hostname: "127.0.0.1" });
await using proxy = servcon(0, tunnel, { hostname: "127.0.0.1" });

await using client = httpc({ proxy: { host: "127.0.0.1", port: proxy.port, type: "http" } });
await client.request({ url: `http://127.0.0.1:${site.port}/hello` });
console.log("client:", await client.status(), await client.text());
