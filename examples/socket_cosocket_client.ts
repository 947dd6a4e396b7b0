/**
 * Seed Example 10: a cosocket client. `event` starts a cosocket on an
 * unconnected socket; its `connect` connects that very socket, and every
 * call after it only looks blocking.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/socket_cosocket_client.ts`
 */
import { connect, event, type Socket } from "@cosocket/socket";
import { echoServer } from "./socket_echo_server.ts";

function* sockCoroutine(sock: Socket, address: string, port: number) {
  const socket = yield* connect(address, port);
  console.assert(socket === sock, "we have one cosocket");
  for (let round = 1; round <= 3; round++) {
    yield* socket.write(`hello ${round}`);
    const data = yield* socket.read(1000);
    if (data === null) break;
    console.log("cosocket received:", new TextDecoder().decode(data));
  }
  console.log("state before returning:", sock.state());
}

if (import.meta.main) {
  await using server = echoServer();
  const client = event(sockCoroutine, "127.0.0.1", server.sockname().port);
  await client.task;
  console.log("state after the cosocket returned:", client.state());
}
