/**
 * WebSocket echo servers, side by side: ours (`upgrade()` over `bind()`, with
 * default options and with `reuseReadBuffer`), Deno's own (`Deno.serve` +
 * `Deno.upgradeWebSocket`) and npm `ws` with the native `bufferutil` add-on
 * on Node, each in its own process, all driven by the same C load client
 * (`load/ws_load.c`, compiled with `cc -O2` on first use: it masks, sends,
 * and checks every echoed byte). Server pinned to core 1, client to core 0,
 * when `taskset` exists. Node's `ws` is installed by npm into a cache folder
 * outside the repository on first use (bench/_ws_peers.ts).
 *
 * Shapes (connections × message size; every connection sends one message and
 * waits for its echo before the next): 100 × 20 B, 10 × 1 KiB, 10 × 16 KiB,
 * 500 × 16 KiB.
 *
 * Two ways to run it:
 *
 * - `deno run -A bench/websocket_bench.ts [--rounds=5] [--seconds=0.8]
 *   [--modes=binary,text] [--shapes=0,1,2,3]
 *   [--servers=cosocket,cosocketReuse,native,node,floor,c] [--profile=DIR]`:
 *   interleaved rounds (the servers take turns in a rotating order, shape by
 *   shape), then the medians of msg/s and of messages per second of the
 *   server's own CPU time (steadier on a shared machine), and the ratios of
 *   ours to the best of the others. This is the measurement the README
 *   reports. `text` sends ASCII text, so the servers validate UTF-8; `utf8`
 *   sends text with multi-byte characters. The load client's own C server
 *   (`c`, `ws_load serve`) runs as a reference, not a rival: it shows how
 *   many messages per second the client can drive at most; `floor`
 *   (`servers/ws_floor_echo.ts`) is the least a JavaScript server on
 *   `Deno.listen` can do, shown beside the others, not a rival. `--profile=DIR`
 *   runs our servers with `--cpu-prof` and prints their busiest functions.
 * - `deno task bench bench/websocket_bench.ts`: one `deno bench` group per
 *   shape, a fixed number of messages per iteration, ours as the baseline.
 */
import { type ServerProcess, startServer, wsServers } from "./_servers.ts";
import {
  buildWsLoad,
  cpuSeconds,
  describeNodePeers,
  installNodePeers,
  markdownTable,
  median,
  runWsLoad,
  summarizeCpuProfile,
} from "./_ws_peers.ts";
import { hasTaskset, pinnedTo } from "./_load_clients.ts";

interface Shape {
  name: string;
  connections: number;
  size: number;
  /** Messages per connection in one `deno bench` iteration. */
  perIteration: number;
}

const SHAPES: Shape[] = [
  { name: "100 conns × 20 B", connections: 100, size: 20, perIteration: 200 },
  { name: "10 conns × 1 KiB", connections: 10, size: 1024, perIteration: 2000 },
  { name: "10 conns × 16 KiB", connections: 10, size: 16384, perIteration: 1000 },
  { name: "500 conns × 16 KiB", connections: 500, size: 16384, perIteration: 40 },
];
type Mode = "binary" | "text" | "utf8";
type ServerKey = "cosocket" | "cosocketReuse" | "native" | "node" | "floor" | "c";
type ServerSpec = { name: string; cmd: string; args: readonly string[] };
const OURS: ServerKey[] = ["cosocket", "cosocketReuse"];
const RIVALS: ServerKey[] = ["native", "node"];

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return Deno.args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

const pin = await hasTaskset();
const client = await buildWsLoad();
// Without npm (offline), the Node server is skipped rather than failing every benchmark.
const nodePrefix = await installNodePeers().catch((error: Error) => {
  console.error(`Skipping ws on Node: ${error.message}`);
  return null;
});
const specs: Record<ServerKey, ServerSpec> = {
  ...wsServers(nodePrefix ?? ""),
  c: { name: "C server (ceiling)", cmd: client, args: ["serve"] },
};
const defaultServers = import.meta.main
  ? "cosocket,cosocketReuse,native,node,floor,c"
  : "cosocket,cosocketReuse,native,node,floor";
const wanted = (option("servers", defaultServers).split(",") as ServerKey[])
  .filter((key) => key !== "node" || nodePrefix !== null);
const profileDir = option("profile", "");
const servers = new Map<ServerKey, ServerProcess>();
for (const key of wanted) {
  if (!(key in specs)) throw new RangeError(`Unknown server: ${key}`);
  let spec = specs[key];
  if (profileDir !== "" && OURS.includes(key)) {
    await Deno.mkdir(`${profileDir}/${key}`, { recursive: true });
    const [, ...rest] = spec.args;
    spec = { ...spec, args: ["run", "--cpu-prof", `--cpu-prof-dir=${profileDir}/${key}`, ...rest] };
  }
  try {
    servers.set(key, await startServer(pinnedTo(spec, 1, pin)));
  } catch (error) {
    console.error(`Skipping ${spec.name}: ${(error as Error).message}`);
  }
}
globalThis.addEventListener("unload", () => {
  for (const server of servers.values()) {
    try {
      Deno.kill(server.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
});

if (import.meta.main) {
  try {
    await measure();
  } finally {
    for (const server of servers.values()) await server.stop();
  }
  if (profileDir !== "") {
    for (const key of OURS) {
      if (servers.has(key)) await printProfile(specs[key].name, `${profileDir}/${key}`);
    }
  }
} else {
  for (const shape of SHAPES) {
    for (const [key, server] of servers) {
      Deno.bench({
        name: `${shape.name}: ${server.name}`,
        group: shape.name,
        baseline: key === "cosocket",
        warmup: 2,
        n: 10,
        async fn() {
          await runWsLoad(client, {
            port: server.port,
            connections: shape.connections,
            size: shape.size,
            messages: shape.perIteration,
            seconds: 30,
            pin,
          });
        },
      });
    }
  }
}

/** Per server: msg/s and messages per server CPU second, one entry per round. */
type Samples = Map<ServerKey, { rates: number[]; perCpu: number[] }>;

/** Interleaved rounds with medians and ratios (the `deno run` mode). */
async function measure(): Promise<void> {
  const rounds = Number(option("rounds", "5"));
  const seconds = Number(option("seconds", "0.8"));
  const modes = option("modes", "binary,text").split(",") as Mode[];
  const shapes = option("shapes", "0,1,2,3").split(",").map((index) => SHAPES[Number(index)]!);
  const keys = [...servers.keys()];
  const node = servers.has("node") ? `${await describeNodePeers(nodePrefix!)}; ` : "";
  const pinning = pin ? "server on core 1, client on core 0" : "not pinned";
  console.log(`Deno ${Deno.version.deno}; ${node}${pinning}`);
  console.log(`${rounds} interleaved rounds of ${seconds} s per server and shape\n`);
  for (const mode of modes) {
    const results: [Shape, Samples][] = [];
    for (const shape of shapes) {
      const samples: Samples = new Map(keys.map((key) => [key, { rates: [], perCpu: [] }]));
      const load = (port: number, seconds: number) =>
        runWsLoad(client, {
          port,
          connections: shape.connections,
          size: shape.size,
          messages: 1_000_000,
          seconds,
          mode,
          pin,
        });
      for (const key of keys) await load(servers.get(key)!.port, Math.min(seconds, 0.5)); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (let turn = 0; turn < keys.length; turn++) {
          const key = keys[(round + turn) % keys.length]!;
          const server = servers.get(key)!;
          const before = cpuSeconds(server.pid);
          const result = await load(server.port, seconds);
          const cpu = Math.max(cpuSeconds(server.pid) - before, 0.01);
          samples.get(key)!.rates.push(result.msgPerSec);
          samples.get(key)!.perCpu.push(result.messages / cpu);
        }
      }
      results.push([shape, samples]);
      console.error(`  done: ${mode} ${shape.name}`);
    }
    printTables(mode, keys, results);
  }
}

function printTables(mode: Mode, keys: ServerKey[], results: [Shape, Samples][]): void {
  const shapeColumn = `Shape (${mode})`;
  console.log("msg/s, medians (messages per second of server CPU time in parentheses):");
  const rows = results.map(([shape, samples]) => [
    shape.name,
    ...keys.map((key) => {
      const { rates, perCpu } = samples.get(key)!;
      return `${format(median(rates))} (${format(median(perCpu))})`;
    }),
  ]);
  for (const line of markdownTable([shapeColumn, ...keys.map((key) => specs[key].name)], rows)) {
    console.log(line);
  }
  console.log();
  const ours = OURS.filter((key) => keys.includes(key));
  const rivals = RIVALS.filter((key) => keys.includes(key));
  if (ours.length === 0 || rivals.length === 0) return;
  console.log(
    `Ours ÷ the best of ${rivals.map((key) => specs[key].name).join(" and ")}: ` +
      "msg/s (range of per-round ratios), and per server CPU second:",
  );
  const header = [shapeColumn];
  for (const key of ours) header.push(`${specs[key].name}`, "per CPU s");
  const ratioRows = results.map(([shape, samples]) => {
    const cells = [shape.name];
    const best = (pick: (key: ServerKey) => number) => Math.max(...rivals.map(pick));
    const bestRate = best((key) => median(samples.get(key)!.rates));
    const bestPerCpu = best((key) => median(samples.get(key)!.perCpu));
    for (const key of ours) {
      const { rates, perCpu } = samples.get(key)!;
      // Per round: ours ÷ the best rival of that same round.
      const perRound = rates.map((rate, round) =>
        rate / best((rival) => samples.get(rival)!.rates[round]!)
      );
      const range = `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`;
      cells.push(
        `**${(median(rates) / bestRate).toFixed(2)}×** (${range})`,
        Number.isFinite(bestPerCpu) ? `${(median(perCpu) / bestPerCpu).toFixed(2)}×` : "n/a",
      );
    }
    return cells;
  });
  for (const line of markdownTable(header, ratioRows)) console.log(line);
  console.log();
}

function format(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
}

/** Summarizes the newest CPU profile a server of ours wrote into `dir`. */
async function printProfile(name: string, dir: string): Promise<void> {
  let newest: { path: string; mtime: number } | null = null;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".cpuprofile")) continue;
    const path = `${dir}/${entry.name}`;
    const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
    if (newest === null || mtime > newest.mtime) newest = { path, mtime };
  }
  if (newest === null) {
    console.log(`No CPU profile in ${dir}`);
    return;
  }
  console.log(`${name}: busiest functions (self time, share of non-idle samples), ${newest.path}`);
  for (const line of summarizeCpuProfile(newest.path, 20)) console.log(`  ${line}`);
  console.log();
}
