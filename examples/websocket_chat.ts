/**
 * A chat room: every message a member sends goes to every other member.
 * Each member's connection is a cosocket that writes to the other members'
 * WebSockets; a slow member suspends only the writer that waits for it
 * (the seed's cosocket flow control), and a member that leaves is closed
 * with a close frame even when its cosocket is halted.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_chat.ts`
 */
import { bind, type Socket } from "@cosocket/socket";
import { connect, upgrade, type WebSocketConnection } from "@cosocket/websocket";

const members = new Set<WebSocketConnection>();

function* member(sock: Socket) {
  const ws = yield* upgrade(sock, { protocols: ["chat"], heartbeat: 10_000 });
  members.add(ws);
  try {
    let message;
    while ((message = yield* ws.readMessage()) !== null) {
      for (const other of members) {
        if (other !== ws) yield* other.send(message);
      }
    }
  } finally {
    members.delete(ws);
  }
}

await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
  let sock;
  while ((sock = yield* listener.accept()) !== null) sock.event(member);
});
const url = `ws://127.0.0.1:${server.sockname().port}/room`;

const names = ["ada", "grace", "linus"];
const clients = await Promise.all(names.map(() => connect(url, { protocols: ["chat"] })));
while (members.size < names.length) await new Promise((resolve) => setTimeout(resolve, 1));

await clients[0]!.send("ada: hello, room");
await clients[1]!.send("grace: hi ada");
// Everyone but the sender sees a message: ada and grace one each, linus both.
const incoming = [1, 1, 2];
for (const [index, client] of clients.entries()) {
  for (let i = 0; i < incoming[index]!; i++) {
    console.log(`${names[index]} sees:`, await client.readMessage());
  }
}
await Promise.all(clients.map((client) => client.close(1000, "bye")));
