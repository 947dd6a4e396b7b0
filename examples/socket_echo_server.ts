/**
 * Seed Example 9: a cosocket echo server. Both the read and the write only
 * look blocking: one thread serves every connection, and a slow client
 * suspends only its own cosocket.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/socket_echo_server.ts`
 */
import { bind, connect, type Socket } from "@cosocket/socket";

/** Echoes everything back until the peer closes. */
export function* echo(sock: Socket) {
  let data;
  while ((data = yield* sock.read()) !== null) yield* sock.write(data);
}

/** Accepts connections and runs `echo` on each, in cosocket mode. */
export function* acceptLoop(listener: Socket) {
  let client;
  while ((client = yield* listener.accept()) !== null) client.event(echo);
}

/** Starts the echo server on a free loopback port. */
export function echoServer(): Socket {
  return bind(0, { hostname: "127.0.0.1" }).event(acceptLoop);
}

if (import.meta.main) {
  await using server = echoServer();
  const port = server.sockname().port;
  console.log(`echo server on 127.0.0.1:${port}`);
  const clients = await Promise.all(
    Array.from({ length: 5 }, () => connect("127.0.0.1", port)),
  );
  await Promise.all(clients.map(async (client, index) => {
    await client.write(`hello from client ${index}\n`);
    console.log("echoed:", await client.readLine());
    client.close();
  }));
}
