/**
 * Socket benchmarks: the same Deno client drives three echo servers, each in
 * its own process: the cosocket server, a plain `Deno.listen` async loop
 * (the baseline), and Node's `net`. Deno prints the ratios per group.
 *
 * - ping-pong: 100 connections, each doing 100 sequential 64-byte round trips
 *   per iteration (10,000 round trips).
 * - bulk: 1 GiB through one connection (written and echoed back at once).
 *
 * Run: `deno task bench bench/socket_bench.ts`
 */
import { type ServerProcess, SERVERS, startServer } from "./_servers.ts";

const servers: ServerProcess[] = [];
for (const spec of [SERVERS.plain, SERVERS.cosocket, SERVERS.node]) {
  servers.push(await startServer(spec));
}
globalThis.addEventListener("unload", () => {
  for (const server of servers) Deno.kill(server.pid, "SIGTERM");
});

const CONNECTIONS = 100;
const ROUNDS = 100;
const message = new Uint8Array(64).fill(42);

async function readFull(conn: Deno.Conn, buffer: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const count = await conn.read(buffer.subarray(offset));
    if (count === null) throw new Error("Cannot read: server closed");
    offset += count;
  }
}

for (const server of servers) {
  let conns: Deno.Conn[] | null = null;
  Deno.bench({
    name: `ping-pong 64 B x ${CONNECTIONS} conns: ${server.name}`,
    group: "ping-pong",
    baseline: server.name === SERVERS.plain.name,
    warmup: 3,
    n: 30,
    async fn() {
      conns ??= await Promise.all(
        Array.from(
          { length: CONNECTIONS },
          () => Deno.connect({ hostname: "127.0.0.1", port: server.port }),
        ),
      );
      await Promise.all(conns.map(async (conn) => {
        const reply = new Uint8Array(64);
        for (let round = 0; round < ROUNDS; round++) {
          await conn.write(message);
          await readFull(conn, reply);
        }
      }));
    },
  });
}

const GIB = 1 << 30;
for (const server of servers) {
  Deno.bench({
    name: `bulk 1 GiB echo: ${server.name}`,
    group: "bulk",
    baseline: server.name === SERVERS.plain.name,
    warmup: 1,
    n: 3,
    async fn() {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      const chunk = new Uint8Array(256 << 10).fill(1);
      const writing = (async () => {
        for (let sent = 0; sent < GIB; sent += chunk.length) await conn.write(chunk);
      })();
      const buffer = new Uint8Array(256 << 10);
      let received = 0;
      while (received < GIB) {
        const count = await conn.read(buffer);
        if (count === null) throw new Error("Cannot read: server closed");
        received += count;
      }
      await writing;
      conn.close();
    },
  });
}
