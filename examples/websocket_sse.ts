/**
 * The seed's `ba.socket.req2sock` Server-Sent Events example on the HTTP
 * server: a request for `text/event-stream` becomes an event stream (`sse`,
 * built on `req2sock`) that a cosocket writes an event to every 100 ms, ten
 * times, then closes. No WebSocket is involved; the example sits with the
 * WebSocket ones because the seed puts it there.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/websocket_sse.ts`
 */
import { servcon, type ServerRequest, type ServerResponse, sse } from "@cosocket/http";
import { sleep } from "@cosocket/socket";

function* events(request: ServerRequest, response: ServerResponse) {
  if (request.headers.get("accept") !== "text/event-stream") {
    response.status = 406;
    return;
  }
  const stream = yield* sse(request);
  for (let count = 1; count <= 10; count++) {
    yield* stream.send(`This is message #${count}`);
    yield* sleep(100);
  }
  yield* stream.send("We are done!");
  stream.close();
}

await using server = servcon(0, events, { hostname: "127.0.0.1" });

// A client reading the stream, as a browser's EventSource would.
const response = await fetch(`http://127.0.0.1:${server.port}/`, {
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
