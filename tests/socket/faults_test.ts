// The socket under faults, against the README's echo server in its own
// process (tests/socket/_echo_server.ts): running out of descriptors, peers
// that reset or vanish, connection churn, and a bug in one connection.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { echoOnce, startEchoServer } from "./_server_process.ts";

const encoder = new TextEncoder();
const NODE_RESETS = new URL("./_node_resets.mjs", import.meta.url).pathname;
const SOAK_CLIENT = new URL("../../bench/load/soak_client.mjs", import.meta.url).pathname;

/**
 * Warm-up traffic, then the server's descriptor count as the baseline: the
 * runtime opens a few descriptors of its own under load (and keeps them).
 */
async function baseline(server: { port: number; stats(): Promise<{ fds: number }> }) {
  const message = new Uint8Array(256 * 1024).fill(0x61);
  await Promise.all(Array.from({ length: 20 }, () => echoOnce(server.port, message)));
  // Deno opens a socket pair of its own about half a second after the first
  // connection closes, and keeps it: count once the number has held still
  // for a second (at most five seconds on a busy machine).
  let fds = (await server.stats()).fds;
  let still = performance.now();
  const started = still;
  while (performance.now() - still < 1000 && performance.now() - started < 5000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = (await server.stats()).fds;
    if (now !== fds) [fds, still] = [now, performance.now()];
  }
  return fds;
}

Deno.test("faults: a listener out of descriptors backs off, keeps its port and serves every client", async () => {
  // 64 descriptors leave the server room for about 35 connections at once.
  await using server = await startEchoServer(64);
  const clients = 150;
  const answers = await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const message = encoder.encode(`client ${i} `.repeat(20));
      const answer = await echoOnce(server.port, message);
      return answer.length === message.length &&
        new TextDecoder().decode(answer) === new TextDecoder().decode(message);
    }),
  );
  deepStrictEqual(answers.filter((served) => !served).length, 0);
  const stats = await server.stats();
  ok(stats.acceptBackoffs > 0, "the server ran out of descriptors: the test did not test");
  strictEqual(stats.acceptErrors, stats.acceptBackoffs);
  // A new client afterwards is served too, on the same port.
  strictEqual(
    new TextDecoder().decode(await echoOnce(server.port, encoder.encode("after"))),
    "after",
  );
  strictEqual(server.stderr(), "");
});

Deno.test("faults: 200 connections reset mid-transfer leave no descriptor or cosocket behind", async () => {
  await using server = await startEchoServer();
  const fds = await baseline(server);
  const out = await new Deno.Command("node", {
    args: [NODE_RESETS, String(server.port), "200"],
    stderr: "piped",
  }).output();
  strictEqual(out.success, true, new TextDecoder().decode(out.stderr));
  const stats = await server.settle(fds);
  ok(stats.fds <= fds, `${stats.fds} descriptors, ${fds} before the clients`);
  deepStrictEqual([stats.total, stats.active], [1, 1]);
  strictEqual(
    new TextDecoder().decode(await echoOnce(server.port, encoder.encode("alive"))),
    "alive",
  );
  strictEqual(server.stderr(), "");
});

Deno.test("faults: a client process SIGKILLed with 500 busy connections leaves nothing behind", async () => {
  await using server = await startEchoServer();
  const fds = await baseline(server);
  const client = new Deno.Command("node", {
    args: [SOAK_CLIENT, String(server.port), "500", "30"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = client.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("established")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const writer = client.stdin.getWriter();
  await writer.write(encoder.encode("go\n"));
  // Let the traffic run, then kill the client in the middle of it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  client.kill("SIGKILL");
  await client.status;
  await writer.close().catch(() => {});
  await reader.cancel();
  const stats = await server.settle(fds);
  ok(stats.fds <= fds, `${stats.fds} descriptors, ${fds} before the clients`);
  deepStrictEqual([stats.total, stats.active], [1, 1]);
  strictEqual(server.stderr(), "");
});

Deno.test("faults: 2,000 connections opened and closed leave no descriptor behind", async () => {
  await using server = await startEchoServer();
  const fds = await baseline(server);
  for (let batch = 0; batch < 20; batch++) {
    await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const message = encoder.encode(`churn ${batch}.${i}`);
      deepStrictEqual(await echoOnce(server.port, message), message);
    }));
  }
  const stats = await server.settle(fds);
  ok(stats.fds <= fds, `${stats.fds} descriptors, ${fds} before the clients`);
  deepStrictEqual([stats.total, stats.active], [1, 1]);
});

Deno.test("faults: a bug in one connection's cosocket is logged and ends only that connection", async () => {
  await using server = await startEchoServer();
  const fds = await baseline(server);
  const other = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const answer = await echoOnce(server.port, encoder.encode("boom"));
    strictEqual(answer.length, 0);
    // The other connection, open all along, still echoes; new ones are served.
    await other.write(encoder.encode("still here"));
    const buffer = new Uint8Array(10);
    let got = 0;
    while (got < 10) got += (await other.read(buffer.subarray(got))) ?? 10;
    strictEqual(new TextDecoder().decode(buffer), "still here");
    strictEqual(
      new TextDecoder().decode(await echoOnce(server.port, encoder.encode("next"))),
      "next",
    );
  } finally {
    other.close();
  }
  const stats = await server.settle(fds);
  ok(stats.fds <= fds, `${stats.fds} descriptors, ${fds} before the clients`);
  deepStrictEqual([stats.total, stats.active], [1, 1]);
  ok(server.stderr().includes("A deliberate bug in one connection's cosocket"), server.stderr());
});
