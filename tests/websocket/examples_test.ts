import { equal, ok } from "node:assert/strict";
import { runExample } from "../_shared.ts";

Deno.test("example: echo server with a page and three clients", async () => {
  const output = await runExample("websocket_echo_server.ts");
  ok(output.includes("plain HTTP: 200"), output);
  for (const n of [1, 2, 3]) {
    ok(output.includes(`client ${n} (echo): hello from client ${n}`), output);
    ok(output.includes(`server: client closed with 1000 "client ${n} done"`), output);
  }
});

Deno.test("example: chat room broadcasts to the other members", async () => {
  const output = await runExample("websocket_chat.ts");
  ok(output.includes("ada sees: grace: hi ada"), output);
  ok(output.includes("linus sees: ada: hello, room"), output);
  ok(output.includes("linus sees: grace: hi ada"), output);
});

Deno.test("example: RPC client with Basic credentials", async () => {
  const output = await runExample("websocket_rpc_client.ts");
  ok(output.includes("HELLO FROM THE RPC CLIENT"), output);
  ok(output.includes("without credentials: 401"), output);
});

Deno.test("example: Deno.serve adapter", async () => {
  const output = await runExample("websocket_deno_serve.ts");
  equal(output, "HELLO!\nDENO!\nSERVE!\n");
});

Deno.test("example: Server-Sent Events with sse() (seed req2sock)", async () => {
  const output = await runExample("websocket_sse.ts");
  ok(output.startsWith("data: This is message #1\n"), output);
  ok(output.endsWith("data: This is message #10\ndata: We are done!\n"), output);
});
