/**
 * Socket benchmarks, one run, ratios printed by `deno bench` per group:
 * the same load client drives four echo servers, each in its own process,
 * pinned to its own core when `taskset` exists (client on core 0, server on
 * core 1), so the server, not the client, is measured:
 *
 * - plain `Deno.listen` async loop with one reused 64 KiB buffer (baseline)
 * - cosocket server with `read()` (each chunk a fresh, owned view)
 * - cosocket server with `readInto()` (one reused buffer, like the baseline)
 * - Node's `net` (each socket piped to itself)
 *
 * The load client is `load/tcp_load.c`, compiled here with `cc` on first
 * use: a JavaScript client costs as much per message as the server it
 * measures and would hide the differences.
 *
 * - ping-pong: 100 connections x 1,000 sequential 64-byte round trips
 * - bulk: 1 GiB through one connection, echoed back while it is sent
 *
 * Run: `deno task bench bench/socket_bench.ts`
 */
import { type ServerProcess, SERVERS, startServer } from "./_servers.ts";
import { buildLoadClient, hasTaskset, pinnedTo } from "./_load_clients.ts";

const pinned = await hasTaskset();
const client = await buildLoadClient("tcp_load");
const specs = [SERVERS.plain, SERVERS.cosocket, SERVERS.cosocketInto, SERVERS.node];
const servers: ServerProcess[] = [];
for (const spec of specs) {
  servers.push(
    await startServer(
      pinnedTo(spec, 1, pinned),
    ),
  );
}
globalThis.addEventListener("unload", () => {
  for (const server of servers) Deno.kill(server.pid, "SIGTERM");
});

async function load(args: string[]): Promise<void> {
  const command = pinnedTo({ cmd: client, args }, 0, pinned);
  const output = await new Deno.Command(command.cmd, { args: command.args }).output();
  if (!output.success) {
    throw new Error(`Load client failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

for (const server of servers) {
  Deno.bench({
    name: `ping-pong 100 conns x 1000 x 64 B: ${server.name}`,
    group: "ping-pong",
    baseline: server.name === SERVERS.plain.name,
    warmup: 2,
    n: 15,
    async fn() {
      await load(["pingpong", String(server.port), "100", "1000", "64"]);
    },
  });
}

for (const server of servers) {
  Deno.bench({
    name: `bulk 1 GiB echo: ${server.name}`,
    group: "bulk",
    baseline: server.name === SERVERS.plain.name,
    warmup: 1,
    n: 8,
    async fn() {
      await load(["bulk", String(server.port), String(1 << 30)]);
    },
  });
}
