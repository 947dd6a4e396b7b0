/**
 * The Deno-side servers of bench/http_server_bench.ts, one per process:
 * `cosocket` (servcon with a cosocket handler), `web` (servcon with a
 * WHATWG handler), `deno` (Deno.serve), `proxy <backend-port>` (our
 * redirector) and `idle` (the socket package's plain cosocket echo server,
 * the baseline for idle connections). Each answers "/" with "hello" and
 * "/1m" with 1 MiB. Usage: `http_hello_server.ts <mode> [port] [backend]`;
 * prints its port, exits when stdin closes.
 */
import { redirector, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { bind, type Socket } from "@cosocket/socket";

const [mode = "cosocket", portArg = "0", backend = ""] = Deno.args;
const port = Number(portArg);
const hostname = "127.0.0.1";
const hello = new TextEncoder().encode("hello");
const big = new Uint8Array(1 << 20).fill(0x61);
const options = {
  hostname,
  reusePort: port !== 0,
  headersTimeout: 60_000,
  keepAliveTimeout: 60_000,
};

let stop: () => Promise<void>;
let listening: number;
switch (mode) {
  case "cosocket": {
    const server = servcon(port, function* (request: ServerRequest, response: ServerResponse) {
      yield* response.send(request.path === "/1m" ? big : hello);
    }, options);
    [listening, stop] = [server.port, () => server.close()];
    break;
  }
  case "web": {
    const server = servcon(port, (request: Request) => {
      return new Response(request.url.endsWith("/1m") ? big : hello);
    }, options);
    [listening, stop] = [server.port, () => server.close()];
    break;
  }
  case "proxy": {
    const server = servcon(port, redirector(`http://127.0.0.1:${backend}/`), options);
    [listening, stop] = [server.port, () => server.close()];
    break;
  }
  case "deno": {
    const server = Deno.serve(
      { hostname, port, reusePort: port !== 0, onListen() {} },
      (request) => new Response(request.url.endsWith("/1m") ? big : hello),
    );
    [listening, stop] = [server.addr.port, () => server.shutdown()];
    break;
  }
  case "idle": {
    const server = bind(port, { hostname }).event(function* (listener: Socket) {
      let client;
      while ((client = yield* listener.accept()) !== null) {
        client.event(function* (sock: Socket) {
          let data;
          while ((data = yield* sock.read()) !== null) yield* sock.write(data as Uint8Array);
        });
      }
    });
    [listening, stop] = [server.sockname().port, () => server.close()];
    break;
  }
  default:
    throw new Error(`Unknown mode ${mode}`);
}
console.log(listening);
for await (const _ of Deno.stdin.readable) {
  // Runs until the bench closes stdin.
}
await stop();
