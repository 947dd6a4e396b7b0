/**
 * The seed's `ba.socket.req2sock` Server-Sent Events example: a request for
 * `text/event-stream` becomes a plain socket that a cosocket writes an
 * event to every 100 ms, ten times, then closes. The same `readRequest`
 * that starts a WebSocket upgrade reads the request here; no WebSocket is
 * involved.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_sse.ts`
 */
import { bind, sleep, type Socket } from "@cosocket/socket";
import { readRequest } from "@cosocket/websocket";

function* events(sock: Socket) {
  const request = yield* readRequest(sock);
  if (request === null) return;
  if (request.headers.get("accept") !== "text/event-stream") {
    yield* sock.write("HTTP/1.1 406 Not Acceptable\r\ncontent-length: 0\r\n\r\n");
    return;
  }
  yield* sock.write(
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\r\n",
  );
  for (let count = 1; count <= 10; count++) {
    yield* sock.write(`data: This is message #${count}\n\n`);
    yield* sleep(100);
  }
  yield* sock.write("data: We are done!\n\n");
}

await using server = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
  let sock;
  while ((sock = yield* listener.accept()) !== null) sock.event(events);
});

// A client reading the stream, as a browser's EventSource would.
const response = await fetch(`http://127.0.0.1:${server.sockname().port}/`, {
  headers: { accept: "text/event-stream" },
});
const lines = response.body!.pipeThrough(new TextDecoderStream());
let buffered = "";
for await (const text of lines) {
  buffered += text;
  let end;
  while ((end = buffered.indexOf("\n\n")) >= 0) {
    console.log(buffered.slice(0, end));
    buffered = buffered.slice(end + 2);
  }
}
