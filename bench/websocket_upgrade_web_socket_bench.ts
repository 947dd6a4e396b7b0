// The Deno.serve adapter against Deno's own server WebSocket, in one run:
// `deno bench --allow-net=127.0.0.1 --allow-read bench/websocket_upgrade_web_socket_bench.ts`.
// One Deno.serve server per variant echoes every message; a native WebSocket client sends a
// burst of messages and waits for all the echoes. The baseline is the plain
// `Deno.upgradeWebSocket` echo (onmessage -> send); the adapter runs the same echo with
// `readMessage`/`send`, awaited and as a cosocket.
import type { NativeWsSocket } from "../websocket/native_ws_socket.ts";
import { upgradeWebSocket } from "../websocket/upgrade_web_socket.ts";

type Variant = "native" | "adapter, await" | "adapter, cosocket";

function* echo(ws: NativeWsSocket) {
  let message;
  while ((message = yield* ws.readMessage()) !== null) yield* ws.send(message);
}

function startServer(variant: Variant): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    if (variant === "native") {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      socket.onmessage = (event) => socket.send(event.data);
      return response;
    }
    const { socket, response } = upgradeWebSocket(request, { maxQueued: 64 << 20 });
    if (variant === "adapter, cosocket") socket.event(echo);
    else {
      (async () => {
        let message;
        while ((message = await socket.readMessage()) !== null) await socket.send(message);
      })();
    }
    return response;
  });
}

async function openClient(port: number): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  client.binaryType = "arraybuffer";
  await new Promise((resolve, reject) => {
    client.onopen = resolve;
    client.onerror = reject;
  });
  return client;
}

/** Sends `count` messages and resolves when all echoes are back. */
function burst(client: WebSocket, message: string | Uint8Array, count: number): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    client.onmessage = () => {
      if (--left === 0) resolve();
    };
    for (let index = 0; index < count; index++) client.send(message);
  });
}

const SHAPES: [string, string | Uint8Array, number][] = [
  ["20 B text", "x".repeat(20), 2000],
  ["1 KiB binary", new Uint8Array(1024), 1000],
  ["16 KiB binary", new Uint8Array(16384), 200],
  ["1 MiB text", "é".repeat(512 * 1024), 4],
];

const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
for (const variant of ["native", "adapter, await", "adapter, cosocket"] as Variant[]) {
  const server = startServer(variant);
  servers.push(server);
  const client = await openClient(server.addr.port);
  for (const [shape, message, count] of SHAPES) {
    Deno.bench(variant, {
      group: `${shape} × ${count} echoed`,
      baseline: variant === "native",
      n: 30,
      warmup: 5,
    }, async () => {
      await burst(client, message, count);
    });
  }
}

globalThis.addEventListener("unload", () => {
  for (const server of servers) server.shutdown();
});
