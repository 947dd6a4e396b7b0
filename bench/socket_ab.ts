/**
 * Interleaved A/B comparison of the socket echo servers, steadier than a
 * single `deno bench` run on a small shared machine: the plain `Deno.listen`
 * loop and one cosocket server run side by side, the load client alternates
 * between them several times, and the medians of throughput and of
 * throughput per CPU second (the server's own utime + stime from /proc) are
 * compared. Server and client are pinned to different cores when `taskset`
 * exists.
 *
 * The floor variants (`servers/floor_echo.ts`) are the least any cosocket
 * can cost: a generator driven by `promise.then(next)`, the same with every
 * read and write an operation delegated to with `yield*`, and the plain loop
 * with a fresh chunk per read (what `read()` hands out).
 *
 * Run: `deno run --allow-all bench/socket_ab.ts [pingpong|bulk]
 * [read|into|floor-bare|floor-delegate|plain-fresh] [repetitions]`
 */
import { type ServerProcess, SERVERS, startServer } from "./_servers.ts";
import { buildLoadClient, hasTaskset, pinnedTo } from "./_load_clients.ts";

const mode = Deno.args[0] === "bulk" ? "bulk" : "pingpong";
const VARIANTS = {
  read: SERVERS.cosocket,
  into: SERVERS.cosocketInto,
  "floor-bare": SERVERS.floorBare,
  "floor-delegate": SERVERS.floorDelegate,
  "plain-fresh": SERVERS.plainFresh,
} as const;
const variant = VARIANTS[(Deno.args[1] ?? "read") as keyof typeof VARIANTS];
if (variant === undefined) {
  throw new RangeError(`Unknown variant ${Deno.args[1]}: use ${Object.keys(VARIANTS).join(", ")}`);
}
const repetitions = Number(Deno.args[2] ?? 9);
/** Round trips (100 connections × 2,000) or bytes (1 GiB) per load run. */
const WORK = mode === "pingpong" ? 100 * 2000 : 1 << 30;

const pinned = await hasTaskset();
const client = await buildLoadClient("tcp_load");

/** Seconds of CPU the process has used (user + system). */
function cpuSeconds(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function runLoad(port: number): Promise<number> {
  const args = mode === "pingpong"
    ? ["pingpong", String(port), "100", "2000", "64"]
    : ["bulk", String(port), String(1 << 30)];
  const command = pinnedTo({ cmd: client, args }, 0, pinned);
  const output = await new Deno.Command(command.cmd, { args: command.args }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  const [count, seconds] = new TextDecoder().decode(output.stdout).trim().split(" ").map(Number);
  return count! / seconds!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const servers: ServerProcess[] = [];
for (const spec of [SERVERS.plain, variant]) {
  servers.push(
    await startServer(
      pinnedTo(spec, 1, pinned),
    ),
  );
}
const rates: number[][] = [[], []];
const efficiency: number[][] = [[], []];
try {
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const [index, server] of servers.entries()) {
      const before = cpuSeconds(server.pid);
      const rate = await runLoad(server.port);
      const cpu = Math.max(cpuSeconds(server.pid) - before, 0.01);
      rates[index]!.push(rate);
      efficiency[index]!.push(WORK / cpu);
    }
  }
} finally {
  for (const server of servers) await server.stop();
}
const unit = mode === "pingpong" ? "round trips/s" : "bytes/s";
console.log(`${mode}, ${repetitions} interleaved repetitions, medians:`);
for (const [index, server] of servers.entries()) {
  console.log(`  ${server.name.padEnd(30)} ${median(rates[index]!).toExponential(3)} ${unit}`);
}
console.log(
  `  ratio ${variant.name} / ${SERVERS.plain.name}: throughput ${
    (median(rates[1]!) / median(rates[0]!)).toFixed(3)
  }, per CPU second ${(median(efficiency[1]!) / median(efficiency[0]!)).toFixed(3)}`,
);
