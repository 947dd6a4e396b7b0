// Our WebSocket echo server for bench/websocket_bench.ts: `upgrade()` over a
// `bind()` listener, one cosocket per connection echoing whole messages, text
// as text and binary as binary. `--reuse` turns on the `reuseReadBuffer`
// option (safe here: each echo is written before the next read). Prints its
// port, then serves until stdin closes.
import { bind, type Socket } from "../../socket/mod.ts";
import { upgrade } from "../../websocket/mod.ts";
import { serveUntilStdinCloses } from "./_stdin.ts";

const reuseReadBuffer = Deno.args.includes("--reuse");

function* echo(sock: Socket) {
  const ws = yield* upgrade(sock, { reuseReadBuffer });
  for (;;) {
    const message = yield* ws.readMessage();
    if (message === null) break;
    yield* ws.write(message, typeof message === "string");
  }
}

const server = bind(0, { hostname: "127.0.0.1", backlog: 4096 }).event(function* (listener) {
  let client;
  while ((client = yield* listener.accept()) !== null) client.event(echo);
});
console.log(server.sockname().port);
await serveUntilStdinCloses();
server.close();
Deno.exit(0);
