// The README's cosocket echo server in its own process, for the load and
// fault tests (tests/socket/faults_test.ts): one cosocket per connection,
// read → write. A message starting with "boom" makes that connection's
// cosocket throw a TypeError (a bug), which must not end the server.
// Prints its port; then answers each "stats" line on stdin with one JSON line
// `{ total, active, acceptBackoffs, acceptErrors }`; exits when stdin
// closes.
import { bind, type Socket, sockstat } from "@cosocket/socket";

let acceptErrors = 0;

function* echo(sock: Socket) {
  let data;
  while ((data = yield* sock.read()) !== null) {
    if (data[0] === 0x62 && new TextDecoder().decode(data).startsWith("boom")) {
      throw new TypeError("A deliberate bug in one connection's cosocket");
    }
    yield* sock.write(data);
  }
}

const server = bind(0, {
  hostname: "127.0.0.1",
  backlog: 4096,
  onAcceptError: () => acceptErrors++,
}).event(function* (listener) {
  let client;
  while ((client = yield* listener.accept()) !== null) client.event(echo);
});
console.log(server.sockname().port);

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
for await (const chunk of lines) {
  for (const _ of chunk.matchAll(/stats/g)) {
    console.log(JSON.stringify({ ...sockstat(), acceptErrors }));
  }
}
await server.close();
Deno.exit(0);
