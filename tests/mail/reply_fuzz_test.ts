// The SMTP reply reader against hostile servers: over-long lines, multi-line replies that never
// end, stalls, and a bounded run of mutated replies. Every case ends in an SmtpError (or a
// successful send), within the timeout, and leaves nothing open.
import { equal, ok } from "node:assert/strict";
import { mail, SmtpError } from "@cosocket/mail";
import { assertClean } from "../http/_helpers.ts";

/** A raw server that answers every line the client sends with the next scripted reply. */
function scripted(replies: string[]): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  const done = (async () => {
    for await (const conn of listener) {
      connections.push(conn);
      (async () => {
        const encoder = new TextEncoder();
        const buffer = new Uint8Array(65536);
        let next = 0;
        try {
          await conn.write(encoder.encode(replies[next++] ?? ""));
          while ((await conn.read(buffer)) !== null) {
            if (next < replies.length) await conn.write(encoder.encode(replies[next++]!));
          }
        } catch {
          // The client closed.
        }
      })();
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      await done.catch(() => {});
    },
  };
}

async function attempt(replies: string[], timeout = 300): Promise<unknown> {
  await using server = scripted(replies);
  await using client = mail({ server: "127.0.0.1", port: server.port, tls: false, timeout });
  try {
    await client.send({ from: "a@example.com", to: "b@example.org", body: "x" });
    return null;
  } catch (error) {
    return error;
  }
}

const GOOD = [
  "220 hi\r\n",
  "250 ok\r\n",
  "250 ok\r\n",
  "250 ok\r\n",
  "354 go\r\n",
  "250 sent\r\n",
  "221 bye\r\n",
];

Deno.test("mail replies: too long, never ending, stalled, wrong code inside a multi-line reply", async () => {
  const cases: [string[], string][] = [
    [[`220 ${"x".repeat(5000)}\r\n`], "protocol"],
    [["220 hi\r\n", "250-a\r\n".repeat(300)], "protocol"],
    [["220 hi\r\n"], "timeout"],
    [["220 hi\r\n", "250-a\r\n251 b\r\n"], "protocol"],
    [["hello there\r\n"], "protocol"],
    [["554 go away\r\n"], "reply"],
  ];
  for (const [replies, code] of cases) {
    const error = await attempt(replies);
    ok(error instanceof SmtpError, String(error));
    equal(error.code, code, `${JSON.stringify(replies).slice(0, 60)}: ${error.message}`);
  }
  await assertClean();
});

Deno.test("mail replies: a bounded run of mutated replies gives SmtpErrors only", async () => {
  let seed = 20261204;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const started = Date.now();
  for (let round = 0; round < 150 && Date.now() - started < 60_000; round++) {
    const replies = GOOD.map((reply) => {
      if (random() > 0.3) return reply;
      const chars = [...reply];
      const at = Math.floor(random() * chars.length);
      const kind = random();
      if (kind < 0.3) chars[at] = String.fromCharCode(Math.floor(random() * 256));
      else if (kind < 0.6) chars.splice(at, 1);
      else chars.splice(at, 0, ["\r", "\n", "-", " ", "5", "\0"][Math.floor(random() * 6)]!);
      return chars.join("");
    });
    const error = await attempt(replies, 200);
    ok(error === null || error instanceof SmtpError, `round ${round}: ${error}`);
  }
  await assertClean();
});
