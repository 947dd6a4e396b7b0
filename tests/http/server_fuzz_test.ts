// Bounded fuzzing of the server's request reading: truncation at every byte, mutated bytes,
// inserted control characters and pipelined garbage. Every input gets an HTTP answer or a
// closed connection, never a crash or a hang, and the server keeps serving.
import { equal, ok } from "node:assert/strict";
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { assertClean } from "./_helpers.ts";
import { rawRequest, statuses } from "./_server_helpers.ts";
import { prng } from "../_shared.ts";

const VALID = "POST /path?q=1 HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n" +
  "X-A: b\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: t\r\n\r\n" +
  "GET /next HTTP/1.1\r\nHost: example\r\nContent-Length: 2\r\n\r\nok";

function mutate(next: () => number): string {
  const chars = [...VALID];
  const edits = 1 + Math.floor(next() * 4);
  const specials = ["\r", "\n", "\0", " ", ":", ";", "\t", "\x7f", "\xff", "0", "F", "-", ","];
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * chars.length);
    const kind = next();
    if (kind < 0.4) chars[at] = specials[Math.floor(next() * specials.length)]!;
    else if (kind < 0.7) chars.splice(at, 1);
    else chars.splice(at, 0, specials[Math.floor(next() * specials.length)]!);
  }
  return chars.join("");
}

Deno.test("server fuzz: every input is answered or closed, and the server goes on", async () => {
  const seen = { handled: 0 };
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      const body = yield* request.bytes();
      seen.handled++;
      yield* response.send(`${request.method} ${body.length}`);
    }, { hostname: "127.0.0.1", headersTimeout: 300, keepAliveTimeout: 300, bodyTimeout: 300 });
    const inputs: string[] = [];
    for (let cut = 0; cut < VALID.length; cut += 3) inputs.push(VALID.slice(0, cut));
    const next = prng(20261204);
    for (let i = 0; i < 300; i++) inputs.push(mutate(next));
    for (let i = 0; i < 20; i++) {
      inputs.push(
        Array.from({ length: 200 }, () => String.fromCharCode(Math.floor(next() * 256))).join(""),
      );
    }
    const started = Date.now();
    for (let start = 0; start < inputs.length; start += 25) {
      const batch = inputs.slice(start, start + 25).map(async (input) => {
        const bytes = Uint8Array.from(input, (c) => c.charCodeAt(0));
        // The server must end every connection itself (answer, error or timeout).
        const { text, closed } = await rawRequest(server.port, [bytes], 3000);
        ok(closed, `the server left a connection open for ${JSON.stringify(input)}`);
        ok(
          text === "" || text.startsWith("HTTP/1.1 "),
          `garbage answer for ${JSON.stringify(input)}`,
        );
        for (const status of statuses(text)) {
          ok([200, 400, 413, 431, 501].includes(status), `${status}`);
        }
      });
      await Promise.all(batch);
      ok(Date.now() - started < 60_000, "the fuzz run stays bounded");
    }
    const { text } = await rawRequest(server.port, "GET / HTTP/1.0\r\n\r\n");
    equal(statuses(text)[0], 200);
    ok(seen.handled > 0);
    equal(server.connections, 0);
  }
  await assertClean();
});
