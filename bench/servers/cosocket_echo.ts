// Echo server on cosockets, for bench/socket_bench.ts and bench/socket_scale.ts.
// `--into` echoes with readInto() and one reused buffer (as the plain loop
// does); by default it uses read(), which returns a fresh chunk each time.
// Prints its port, then serves until stdin closes.
import { bind, type Socket } from "../../socket/mod.ts";
import { serveUntilStdinCloses } from "./_stdin.ts";

function* echo(sock: Socket) {
  let data;
  while ((data = yield* sock.read()) !== null) yield* sock.write(data);
}

function* echoInto(sock: Socket) {
  const buffer = new Uint8Array(65536);
  let count;
  while ((count = yield* sock.readInto(buffer)) !== null) {
    yield* sock.write(buffer.subarray(0, count));
  }
}

const handler = Deno.args.includes("--into") ? echoInto : echo;
const server = bind(0, { hostname: "127.0.0.1", backlog: 4096 }).event(function* (listener) {
  let client;
  while ((client = yield* listener.accept()) !== null) client.event(handler);
});
console.log(server.sockname().port);
await serveUntilStdinCloses();
server.close();
Deno.exit(0);
