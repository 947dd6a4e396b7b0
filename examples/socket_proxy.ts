/**
 * Seed Example 13: a cosocket proxy (tunnel) in front of a local HTTP
 * server. For each client the accept loop starts `webProxyServer`, which
 * starts `webProxyClient` as a new cosocket and waits in `disable()` until
 * that one has connected to the destination and hands its socket over with
 * `enable()`. Then each cosocket copies one direction.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/socket_proxy.ts`
 */
import { bind, connect, event, type Socket } from "@cosocket/socket";

function* webProxy(source: Socket, sink: Socket) {
  let data;
  while ((data = yield* source.read()) !== null) yield* sink.write(data);
}

function* webProxyClient(server: Socket, client: Socket, host: string, port: number) {
  try {
    yield* connect(host, port); // Connects `server`, this cosocket's socket.
  } catch (error) {
    console.error(`proxy: cannot reach ${host}:${port}:`, (error as Error).message);
    client.enable(null);
    return;
  }
  client.enable(server);
  try {
    yield* webProxy(server, client);
  } finally {
    client.close();
  }
}

function* webProxyServer(client: Socket, host: string, port: number) {
  event(webProxyClient, client, host, port);
  const [server] = yield* client.disable();
  if (!server) return;
  try {
    yield* webProxy(client, server as Socket);
  } finally {
    (server as Socket).close();
  }
}

/** Starts the proxy on a free loopback port, forwarding to `host:port`. */
export function startProxy(host: string, port: number): Socket {
  return bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(webProxyServer, host, port);
    }
  });
}

if (import.meta.main) {
  const controller = new AbortController();
  const http = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    (request) => new Response(`Hello through the proxy: ${new URL(request.url).pathname}\n`),
  );
  await using proxy = startProxy("127.0.0.1", http.addr.port);
  const port = proxy.sockname().port;
  for (const path of ["/one", "/two", "/three"]) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    console.log(response.status, (await response.text()).trim());
  }
  controller.abort();
  await http.finished;
}
