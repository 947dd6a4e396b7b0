/**
 * Scale benchmark: resident memory per idle connection.
 *
 * Each echo server runs in its own process; a separate Node process
 * (`load/idle_clients.mjs`, several of them past the open-file limit) opens N
 * connections, sends one 16-byte message on each, checks the echo, and then
 * leaves every connection idle, so each server connection sits in a pending
 * read after having moved a little data. The server's VmRSS is read from
 * /proc before the clients connect and again two seconds after the last
 * echo, each time after a full garbage collection (the servers run with
 * `--expose-gc` and collect on a "gc" line on stdin); the difference divided
 * by N is the cost of one idle connection as the process is left.
 *
 * That figure includes costs of the process that do not grow with the
 * connections. The young generation's capacity: a burst of allocation
 * (10,000 connections arriving at once) leaves up to 32 MiB of it committed,
 * much of it kept while the server idles (in a test, 32 → 19 MiB within 5 s,
 * then nothing more in 30 s).
 * Each server is therefore also measured after V8's memory-reducing
 * collection ("compact" on stdin), which returns it ("held"). And what the
 * first connections bring once: code compiled for the connection path, and
 * memory of threads other than the JavaScript one (in `/proc/<pid>/smaps`,
 * glibc's 64 MiB-aligned arenas of other threads grew by 0.7 to 2.9 MiB in
 * the cosocket server from run to run, by nothing in the plain loop's;
 * compiling more code is the likely cause). So the connections open in two halves, and
 * the "marginal" figure is what the second half adds per connection, after
 * memory-reducing collections: the cost of one more idle connection, which
 * the target applies to.
 *
 * Servers: the cosocket echo server, and a plain `Deno.listen` server holding
 * one pending 256-byte read per connection (the target: cosocket at most
 * 1.15x of it), plus the same plain server with 4 KiB reads for reference.
 *
 * Run: `deno run --allow-all bench/socket_scale.ts [N]` (N defaults to 10,000).
 * Loopback only; the whole run is bounded by a two-minute deadline after which
 * every child is killed and the script exits with status 1.
 */
import { type ServerProcess, SERVERS, startServer } from "./_servers.ts";

const DEADLINE_MS = 120_000;
/** Time for a server to finish starting up before its baseline RSS. */
const STARTUP_SETTLE_MS = 1_000;
/** Time for the server to go quiet after the last echo before measuring. */
const IDLE_SETTLE_MS = 2_000;
/** Stays clear of 20,000 ports per source address with room to spare. */
const CONNECTIONS_PER_ADDRESS = 10_000;
/** Descriptors a process needs besides its sockets (stdio, runtime, epoll). */
const SPARE_DESCRIPTORS = 100;
/** Connections per client process: the brief's margin under the open-file limit. */
const CONNECTIONS_PER_CLIENT = 19_000;
const TARGET_RATIO = 1.15;

const CLIENT_SCRIPT = new URL("./load/idle_clients.mjs", import.meta.url).pathname;
const PLAIN_ECHO = new URL("./servers/plain_echo.ts", import.meta.url).pathname;

interface ServerSpec {
  name: string;
  cmd: string;
  args: readonly string[];
}

interface Run {
  spec: ServerSpec;
  extraArgs: string[];
}

interface Measurement {
  name: string;
  /** RSS after a full collection, before the clients and with them. */
  before: number;
  after: number;
  /** The same after V8's memory-reducing collection, also with half the connections. */
  heldBefore: number;
  heldHalf: number;
  heldAfter: number;
  /** The connections of the first half. */
  half: number;
}

const plainIdle: ServerSpec = {
  name: "plain Deno server",
  cmd: Deno.execPath(),
  args: ["run", "--v8-flags=--expose-gc", "--allow-net=127.0.0.1", PLAIN_ECHO],
};

const RUNS: Run[] = [
  { spec: SERVERS.cosocket, extraArgs: [] },
  { spec: { ...plainIdle, name: "plain Deno, 256 B read" }, extraArgs: ["256"] },
  { spec: { ...plainIdle, name: "plain Deno, 4 KiB read" }, extraArgs: ["4096"] },
];

/** Every child still running, so the deadline or a failure can kill them all. */
const children = new Set<number>();

function killChildren(): void {
  for (const pid of children) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
function readRss(pid: number): number {
  let status;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`Cannot read memory of process ${pid}: it has exited`);
  }
  const match = status.match(/^VmRSS:\s+(\d+) kB$/m);
  if (!match) throw new Error(`Cannot read memory of process ${pid}: no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** This process's soft open-file limit; children inherit it. */
function openFileLimit(): number {
  const limits = Deno.readTextFileSync("/proc/self/limits");
  const match = limits.match(/^Max open files\s+(\d+)/m);
  return match ? Number(match[1]) : 1024;
}

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string | null> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) return null;
      text += value;
    }
    return text.trim();
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Splits N connections over as few client processes as the open-file limit
 * allows, and gives each process its own source addresses (127.0.0.1, .2, …)
 * so that no address runs short of source ports.
 */
function planClients(
  total: number,
  perProcess: number,
  firstAddress: number,
): { count: number; addresses: string[] }[] {
  const processes = Math.max(1, Math.ceil(total / perProcess));
  const plan = [];
  let nextAddress = firstAddress;
  for (let index = 0; index < processes; index++) {
    const count = Math.floor(total / processes) + (index < total % processes ? 1 : 0);
    const addresses = [];
    for (let used = 0; used < Math.max(count, 1); used += CONNECTIONS_PER_ADDRESS) {
      addresses.push(`127.0.0.${nextAddress++}`);
    }
    plan.push({ count, addresses });
  }
  if (nextAddress > 255) throw new RangeError(`Cannot plan ${total} connections: too many`);
  return plan;
}

/** How many source addresses `planClients` gives `total` connections. */
function addressesFor(total: number, perProcess: number): number {
  return planClients(total, perProcess, 1).reduce(
    (sum, { addresses }) => sum + addresses.length,
    0,
  );
}

interface ClientProcess {
  child: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

async function openClients(
  port: number,
  total: number,
  perProcess: number,
  firstAddress: number,
): Promise<ClientProcess[]> {
  const plan = planClients(total, perProcess, firstAddress);
  const clients: ClientProcess[] = plan.map(({ count, addresses }) => {
    const child = new Deno.Command("node", {
      args: [CLIENT_SCRIPT, String(port), String(count), addresses.join(",")],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.add(child.pid);
    return { child, writer: child.stdin.getWriter() };
  });
  // Connect concurrently: the clients share the server's accept loop anyway.
  const lines = await Promise.all(clients.map(({ child }) => readLine(child.stdout)));
  const ready = lines.reduce((sum, line) => sum + (line ? JSON.parse(line).ready : 0), 0);
  if (lines.includes(null) || ready !== total) {
    // The failing client has said why on stderr; report the shortfall here.
    await closeClients(clients).catch(() => {});
    throw new Error(`Cannot open ${total} idle connections: clients held ${ready}`);
  }
  return clients;
}

async function closeClients(clients: ClientProcess[]): Promise<void> {
  const failed: number[] = [];
  await Promise.all(clients.map(async ({ child, writer }) => {
    await writer.close().catch(() => {});
    const status = await child.status;
    children.delete(child.pid);
    if (!status.success) failed.push(status.code);
  }));
  if (failed.length > 0) {
    throw new Error(`Cannot close idle connections: client exited with ${failed.join(", ")}`);
  }
}

async function measure(run: Run, total: number, perProcess: number): Promise<Measurement> {
  const server = await startServer(run.spec, run.extraArgs);
  children.add(server.pid);
  try {
    await delay(STARTUP_SETTLE_MS);
    // Garbage left from start-up and from connecting is not a cost of an
    // idle connection: both servers collect it before each reading.
    const before = await rssAfterGc(server, false);
    const heldBefore = await rssAfterGc(server, true);
    // Half the connections, then the other half from further source
    // addresses: the second half's cost is the marginal one (see the top).
    const half = Math.floor(total / 2);
    const clients = await openClients(server.port, half, perProcess, 1);
    try {
      await delay(IDLE_SETTLE_MS);
      const heldHalf = await rssAfterGc(server, true);
      const firstAddress = 1 + addressesFor(half, perProcess);
      clients.push(...await openClients(server.port, total - half, perProcess, firstAddress));
      await delay(IDLE_SETTLE_MS);
      const after = await rssAfterGc(server, false);
      const heldAfter = await rssAfterGc(server, true);
      return { name: run.spec.name, before, after, heldBefore, heldHalf, heldAfter, half };
    } finally {
      // Clients first: a server exiting under live clients would reset them,
      // and they report that as a failure.
      await closeClients(clients);
    }
  } finally {
    await server.stop();
    children.delete(server.pid);
  }
}

/** The server's RSS once a collection (memory-reducing with `compact`) has run. */
async function rssAfterGc(server: ServerProcess, compact: boolean): Promise<number> {
  await server.gc(compact);
  await delay(compact ? 500 : 200);
  return readRss(server.pid);
}

/** Bytes per connection of the second half, after memory-reducing collections. */
function marginal(r: Measurement, total: number): number {
  return (r.heldAfter - r.heldHalf) / (total - r.half);
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(2);
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function printTable(results: Measurement[], total: number): void {
  const rows = [
    ["server", "RSS before (MiB)", "RSS after (MiB)", "per connection (KiB)", "held", "marginal"],
    ...results.map((r) => [
      r.name,
      mib(r.before),
      mib(r.after),
      kib((r.after - r.before) / total),
      kib((r.heldAfter - r.heldBefore) / total),
      kib(marginal(r, total)),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // Names left-aligned, figures right-aligned.
  const pad = (cell: string, column: number) =>
    column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!);
  const line = (row: string[]) => row.map(pad).join("  ");
  console.log(`\nIdle connections: ${total} per server\n`);
  console.log(line(rows[0]!));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main(): Promise<void> {
  const total = Number(Deno.args[0] ?? 10_000);
  const limit = openFileLimit();
  // Each server holds one descriptor per connection in a single process;
  // clients can be split across processes, the server cannot.
  const maximum = limit - SPARE_DESCRIPTORS;
  if (!Number.isInteger(total) || total < 1 || total > maximum) {
    const range = `an integer from 1 to ${maximum} (open-file limit ${limit})`;
    throw new RangeError(`Cannot run with ${Deno.args[0]} connections: N must be ${range}`);
  }
  const perProcess = Math.min(CONNECTIONS_PER_CLIENT, maximum);

  const results: Measurement[] = [];
  for (const run of RUNS) {
    console.log(`Measuring ${run.spec.name} with ${total} idle connections…`);
    results.push(await measure(run, total, perProcess));
  }

  printTable(results, total);
  const left = (r: Measurement) => (r.after - r.before) / total;
  const held = (r: Measurement) => (r.heldAfter - r.heldBefore) / total;
  const slope = (r: Measurement) => marginal(r, total);
  const ratio = (f: (r: Measurement) => number) => f(results[0]!) / f(results[1]!);
  const verdict = ratio(slope) <= TARGET_RATIO ? "met" : "NOT met";
  console.log(
    `\n"held": after V8's memory-reducing collection, which gives back the young generation's ` +
      `capacity; "marginal": the second half of the connections only, without the costs of the ` +
      `process that the first half brings (compiled code, the young generation, allocator arenas)`,
  );
  console.log(
    `cosocket / plain 256 B read, marginal: ${ratio(slope).toFixed(2)}x ` +
      `(target <= ${TARGET_RATIO}x: ${verdict}); held: ${ratio(held).toFixed(2)}x; ` +
      `as left: ${ratio(left).toFixed(2)}x`,
  );
}

const deadline = setTimeout(() => {
  console.error(`Cannot finish the scale run: over the ${DEADLINE_MS / 1000} s deadline`);
  killChildren();
  Deno.exit(1);
}, DEADLINE_MS);

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  killChildren();
  Deno.exit(1);
} finally {
  clearTimeout(deadline);
}
