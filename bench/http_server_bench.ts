/**
 * HTTP server throughput and behaviour under load, side by side in one run.
 * Every server runs in its own process; the load comes from `wrk` (C) and
 * from undici 7 on Node, rounds interleaved, medians and ratios printed:
 *
 * - keep-alive "hello" GETs at 100 connections: ours (cosocket handler and
 *   WHATWG handler) against `Deno.serve` and Node's `http`, with wrk, with
 *   the C load client (`load/tcp_load.c`), and with the C client pipelining
 *   16 requests at a time; and once more with each server alone on one core
 *   and the C client on the other;
 * - 1 MiB responses at 10 connections (two wrk threads: one is saturated by
 *   reading them, whichever server sends);
 * - our reverse proxy against nginx `proxy_pass` (one worker), both in
 *   front of the same Node backend, 1 MiB responses;
 * - one instance against two sharing the port with `reusePort`, with wrk
 *   and with the C client pipelining (its CPU per request is a fraction of
 *   wrk's, so more of the two cores go to the servers);
 * - memory per idle keep-alive connection (10,000 of them) against the
 *   socket package's plain cosocket echo server;
 * - a normal client's latency while 2,000 slow clients trickle their heads.
 *
 * ```sh
 * deno task bench http_server
 * ```
 */
import { type ServerProcess, startServer } from "./_servers.ts";
import { buildLoadClient, hasTaskset, pinnedTo } from "./_load_clients.ts";
import { installNodePeers } from "./_ws_peers.ts";

const here = new URL(".", import.meta.url);
const ROUNDS = 3;
/**
 * Rounds of the hello and 1 MiB cases: three left the 1 MiB ratio to Node
 * anywhere between 0.92x and 1.15x from run to run, where ten interleaved
 * rounds gave 1.01-1.13x every round.
 */
const ROUNDS_THROUGHPUT = 5;
const SECONDS = 3;

interface Spec {
  name: string;
  cmd: string;
  args: string[];
}

function ourSpec(mode: string, port = 0, backend = 0): Spec {
  return {
    name: mode,
    cmd: Deno.execPath(),
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--unstable-net",
      new URL("servers/http_hello_server.ts", here).pathname,
      mode,
      String(port),
      String(backend),
    ],
  };
}

const nodeSpec: Spec = {
  name: "Node http",
  cmd: "node",
  args: [new URL("servers/http_node_hello.mjs", here).pathname],
};

function ours(mode: string, port = 0, backend = 0): Promise<ServerProcess> {
  return startServer(ourSpec(mode, port, backend));
}

function node(): Promise<ServerProcess> {
  return startServer(nodeSpec);
}

/** A free loopback port (for servers started on a fixed port). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

interface Load {
  rps: number;
  p99: number;
  mbps: number;
}

async function wrk(
  url: string,
  connections: number,
  threads = 1,
  seconds = SECONDS,
): Promise<Load> {
  const out = await new Deno.Command("wrk", {
    args: [
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const p99 = toMs(/99%\s+([\d.]+\w+)/.exec(text)?.[1] ?? "0ms");
  const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(text);
  const unit = { B: 1 / 2 ** 20, KB: 1 / 1024, MB: 1, GB: 1024 }[transfer?.[2] ?? "MB"] ?? 1;
  if (/Non-2xx|Socket errors: connect [1-9]/.test(text)) {
    console.log(`  (wrk: ${text.trim().split("\n").slice(-3).join(" | ")})`);
  }
  return { rps, p99, mbps: Number(transfer?.[1] ?? 0) * unit };
}

function url(port: number, path: string): string {
  return `http://127.0.0.1:${port}${path}`;
}

const tcpLoadBinary = await buildLoadClient("tcp_load");

/**
 * The C load client: `depth` pipelined requests at a time per connection
 * (1: one per round trip), far less CPU per request than wrk, which parses
 * every response. Its answers must all have one size, as "/" does here.
 * Its p99 is of whole batches (of single requests at depth 1).
 */
async function tcpLoad(
  port: number,
  connections: number,
  seconds: number,
  depth: number,
  core?: number,
): Promise<Load> {
  const args = ["http", String(port), String(connections), String(seconds), String(depth)];
  const command = pinnedTo({ cmd: tcpLoadBinary, args }, core ?? 0, core !== undefined);
  const out = await new Deno.Command(command.cmd, {
    args: command.args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`The C load client failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const [count, elapsed, , p99] = new TextDecoder().decode(out.stdout).trim().split(" ").map(
    Number,
  );
  return { rps: count! / elapsed!, p99: p99!, mbps: NaN };
}

function toMs(value: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(value);
  if (match === null) return 0;
  const number = Number(match[1]);
  return match[2] === "us" ? number / 1000 : match[2] === "s" ? number * 1000 : number;
}

async function undici(prefix: string, url: string, inFlight: number, ms: number): Promise<number> {
  const out = await new Deno.Command("node", {
    args: [
      new URL("load/undici_client.mjs", here).pathname,
      prefix,
      url,
      String(inFlight),
      String(ms),
    ],
    stdout: "piped",
  }).output();
  if (!out.success) throw new Error("The undici load client failed");
  return Number(new TextDecoder().decode(out.stdout).trim()) / (ms / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Seconds of CPU a process has used (user + system); read with `cat`, as
 * Deno wants all permissions to read another process's /proc files.
 */
async function cpuSeconds(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped" })
    .output();
  const fields = new TextDecoder().decode(out.stdout).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rss(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stdout: "piped" })
    .output();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(new TextDecoder().decode(out.stdout))?.[1] ?? 0);
  return kb * 1024;
}

const prefix = await installNodePeers();

// ------------------------------------------------------------ hello, 1 MiB
const servers: [string, () => Promise<ServerProcess>][] = [
  ["cosocket servcon (cosocket handler)", () => ours("cosocket")],
  ["cosocket servcon (WHATWG handler)", () => ours("web")],
  ["Deno.serve", () => ours("deno")],
  ["Node http", node],
];
const running = new Map<string, ServerProcess>();
for (const [name, make] of servers) running.set(name, await make());
// One unmeasured second each, so that no server's first round is its JIT's warm-up.
for (const { port } of running.values()) await wrk(url(port, "/"), 100, 1, 1);
try {
  for (
    const [label, run] of [
      ['keep-alive GET "hello", wrk, 100 connections', (port) => wrk(url(port, "/"), 100)],
      [
        'keep-alive GET "hello", C load client (bench/load/tcp_load.c), 100 connections',
        (port) => tcpLoad(port, 100, SECONDS, 1),
      ],
      [
        'keep-alive GET "hello" pipelined 16 deep, C load client, 100 connections',
        (port) => tcpLoad(port, 100, SECONDS, 16),
      ],
      // Two client threads: one wrk thread reading 1 MiB responses is at
      // 100 % of its core for every server here, and then measures itself.
      [
        "keep-alive GET 1 MiB, wrk (2 threads), 10 connections",
        (port) => wrk(url(port, "/1m"), 10, 2),
      ],
    ] as [string, (port: number) => Promise<Load>][]
  ) {
    const results = new Map<string, Load[]>(servers.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS_THROUGHPUT; round++) {
      for (const [name] of servers) {
        results.get(name)!.push(await run(running.get(name)!.port));
      }
    }
    const nodeRps = median(results.get("Node http")!.map((r) => r.rps));
    const denoRps = median(results.get("Deno.serve")!.map((r) => r.rps));
    console.log(`\n${label} (median of ${ROUNDS_THROUGHPUT} interleaved ${SECONDS} s rounds)`);
    console.table([...results].map(([name, loads]) => {
      const rps = median(loads.map((l) => l.rps));
      return {
        server: name,
        "req/s": Math.round(rps),
        "MiB/s": Number.isNaN(loads[0]!.mbps) ? "—" : Math.round(median(loads.map((l) => l.mbps))),
        "p99 ms": median(loads.map((l) => l.p99)).toFixed(2),
        "vs Node": `${(rps / nodeRps).toFixed(2)}×`,
        "vs Deno.serve": `${(rps / denoRps).toFixed(2)}×`,
      };
    }));
  }
  const undiciRates = new Map<string, number>();
  for (const [name] of servers) {
    undiciRates.set(
      name,
      await undici(prefix, `http://127.0.0.1:${running.get(name)!.port}/`, 50, 3000),
    );
  }
  const nodeRate = undiciRates.get("Node http")!;
  console.log('\nkeep-alive GET "hello", undici 7 on Node, 50 connections (one 3 s round)');
  console.table([...undiciRates].map(([name, rate]) => ({
    server: name,
    "req/s": Math.round(rate),
    "vs Node": `${(rate / nodeRate).toFixed(2)}×`,
    "vs Deno.serve": `${(rate / undiciRates.get("Deno.serve")!).toFixed(2)}×`,
  })));
} finally {
  for (const proc of running.values()) await proc.stop();
}

// ------------------------------------------------------------ hello, pinned
// Each server on core 1 and the C load client on core 0: every server gets
// exactly one core (unpinned, a server's helper threads and the load client
// compete for both), and the client its own. Busy is the server's CPU time
// over the round's: all near 100 % means the servers, not the client, set
// the pace.
if (await hasTaskset()) {
  const specs = [
    ["cosocket servcon (cosocket handler)", ourSpec("cosocket")],
    ["Deno.serve", ourSpec("deno")],
    ["Node http", nodeSpec],
  ] as const;
  const started = new Map<string, ServerProcess>();
  const rates = new Map<string, number[]>(specs.map(([name]) => [name, []]));
  const p99s = new Map<string, number[]>(specs.map(([name]) => [name, []]));
  const busy = new Map<string, number[]>(specs.map(([name]) => [name, []]));
  const ROUNDS_PINNED = 5;
  try {
    for (const [name, spec] of specs) started.set(name, await startServer(pinnedTo(spec, 1, true)));
    for (const [name] of specs) await tcpLoad(started.get(name)!.port, 100, 1, 1, 0);
    for (let round = 0; round < ROUNDS_PINNED; round++) {
      for (const [name] of specs) {
        const server = started.get(name)!;
        const before = await cpuSeconds(server.pid);
        const load = await tcpLoad(server.port, 100, SECONDS, 1, 0);
        rates.get(name)!.push(load.rps);
        p99s.get(name)!.push(load.p99);
        busy.get(name)!.push((await cpuSeconds(server.pid) - before) / SECONDS);
      }
    }
  } finally {
    for (const server of started.values()) await server.stop();
  }
  const nodeRps = median(rates.get("Node http")!);
  const denoRps = median(rates.get("Deno.serve")!);
  console.log(
    `\nkeep-alive GET "hello", C load client on core 0, each server alone on core 1, 100 connections (median of ${ROUNDS_PINNED} interleaved ${SECONDS} s rounds)`,
  );
  console.table(specs.map(([name]) => {
    const rps = median(rates.get(name)!);
    return {
      server: name,
      "req/s": Math.round(rps),
      "p99 ms": median(p99s.get(name)!).toFixed(2),
      busy: `${Math.round(median(busy.get(name)!) * 100)} %`,
      "vs Node": `${(rps / nodeRps).toFixed(2)}×`,
      "vs Deno.serve": `${(rps / denoRps).toFixed(2)}×`,
    };
  }));
}

// ------------------------------------------------------------ reverse proxy
{
  const backend = await node();
  const proxy = await ours("proxy", 0, backend.port);
  const root = await Deno.makeTempDir();
  const nginxPort = freePort();
  await Deno.writeTextFile(
    `${root}/nginx.conf`,
    `daemon off; worker_processes 1; pid ${root}/nginx.pid; error_log ${root}/error.log warn;
events { worker_connections 1024; }
http { access_log off; proxy_temp_path ${root}/proxy; client_body_temp_path ${root}/body;
  fastcgi_temp_path ${root}/f; uwsgi_temp_path ${root}/u; scgi_temp_path ${root}/s;
  upstream backend { server 127.0.0.1:${backend.port}; keepalive 32; }
  server { listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`,
  );
  const nginx = new Deno.Command("nginx", {
    args: ["-p", root, "-c", `${root}/nginx.conf`, "-e", `${root}/error.log`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 100; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: nginxPort })).close();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const results = new Map<string, Load[]>([["cosocket redirector", []], [
      "nginx proxy_pass (1 worker)",
      [],
    ]]);
    for (let round = 0; round < ROUNDS; round++) {
      results.get("cosocket redirector")!.push(
        await wrk(`http://127.0.0.1:${proxy.port}/1m`, 10, 2),
      );
      results.get("nginx proxy_pass (1 worker)")!.push(
        await wrk(`http://127.0.0.1:${nginxPort}/1m`, 10, 2),
      );
    }
    const base = median(results.get("nginx proxy_pass (1 worker)")!.map((l) => l.mbps));
    console.log(
      `\nreverse proxy in front of Node http, 1 MiB responses, wrk (2 threads), 10 connections`,
    );
    console.table([...results].map(([name, loads]) => ({
      proxy: name,
      "req/s": Math.round(median(loads.map((l) => l.rps))),
      "MiB/s": Math.round(median(loads.map((l) => l.mbps))),
      "vs nginx": `${(median(loads.map((l) => l.mbps)) / base).toFixed(2)}×`,
    })));
  } finally {
    nginx.kill("SIGTERM");
    await nginx.status;
    await proxy.stop();
    await backend.stop();
    await Deno.remove(root, { recursive: true });
  }
}

// ------------------------------------------------------------ reusePort
// The load client shares the two cores. One request per round trip costs
// wrk about as much CPU as it costs a server, so that ratio is bounded by
// what wrk leaves over; the C client pipelining (16 deep as TechEmpower's
// plaintext test, and 64) spends a fraction of that per request, and the
// ratio shows more of how the servers scale. Requests per CPU second of the
// servers tell whether a second process costs anything per request.
{
  const port = freePort();
  const one = await ours("cosocket", port);
  const loads = [
    { label: "wrk (2 threads), one request per round trip", depth: 1 },
    { label: "C load client, pipelined 16 deep", depth: 16 },
    { label: "C load client, pipelined 64 deep", depth: 64 },
  ].map((load) => ({
    ...load,
    single: [] as Load[],
    double: [] as Load[],
    singleCpu: [] as number[],
    doubleCpu: [] as number[],
  }));
  const run = (depth: number) =>
    depth === 1 ? wrk(url(port, "/"), 100, 2) : tcpLoad(port, 100, SECONDS, depth);
  const measure = async (pids: number[], depth: number, results: Load[], perCpu: number[]) => {
    const total = async () => {
      let sum = 0;
      for (const pid of pids) sum += await cpuSeconds(pid);
      return sum;
    };
    const before = await total();
    const load = await run(depth);
    const used = await total() - before;
    results.push(load);
    perCpu.push(load.rps * SECONDS / used);
  };
  let two: ServerProcess | null = null;
  try {
    // Interleaved: the second process starts, and stops again, every round.
    for (let round = 0; round < ROUNDS; round++) {
      for (const load of loads) await measure([one.pid], load.depth, load.single, load.singleCpu);
      two = await ours("cosocket", port);
      // The first process is warm (compiled); so is the second before it counts.
      await tcpLoad(port, 100, 1, 16);
      for (const load of loads) {
        await measure([one.pid, two.pid], load.depth, load.double, load.doubleCpu);
      }
      await two.stop();
      two = null;
    }
  } finally {
    await two?.stop();
    await one.stop();
  }
  console.log(
    `\nreusePort: one process against two on the same port (100 connections, 2 cores shared with the load client; median of ${ROUNDS} interleaved rounds)`,
  );
  console.table(loads.flatMap((load) => {
    const single = median(load.single.map((l) => l.rps));
    const double = median(load.double.map((l) => l.rps));
    return [
      {
        load: load.label,
        instances: 1,
        "req/s": Math.round(single),
        "req per server CPU s": Math.round(median(load.singleCpu)),
      },
      {
        load: load.label,
        instances: 2,
        "req/s": Math.round(double),
        ratio: `${(double / single).toFixed(2)}×`,
        "req per server CPU s": Math.round(median(load.doubleCpu)),
        "CPU efficiency": `${(median(load.doubleCpu) / median(load.singleCpu)).toFixed(2)}×`,
      },
    ];
  }));
}

// ------------------------------------------------------------ idle connections
{
  const COUNT = 10_000;
  const rows = [];
  for (const mode of ["idle", "cosocket"]) {
    const server = await ours(mode);
    const before = await rss(server.pid);
    const conns: Deno.Conn[] = [];
    try {
      const request = new TextEncoder().encode(
        mode === "idle" ? "ping" : "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      );
      const buffer = new Uint8Array(256);
      for (let start = 0; start < COUNT; start += 500) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(500, COUNT - start) }, async () => {
            const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
            await conn.write(request);
            await conn.read(buffer);
            return conn;
          }),
        );
        conns.push(...batch);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await rss(server.pid);
      rows.push({
        server: mode === "idle" ? "socket package echo (baseline)" : "servcon keep-alive",
        connections: conns.length,
        "RSS growth MiB": ((after - before) / 2 ** 20).toFixed(1),
        "bytes/connection": Math.round((after - before) / conns.length),
      });
    } finally {
      for (const conn of conns) conn.close();
      await server.stop();
    }
  }
  const base = rows[0]!["bytes/connection"];
  console.log(`\n${COUNT} idle keep-alive connections (each answered once, then quiet)`);
  console.table(
    rows.map((row) => ({ ...row, "vs socket": `${(row["bytes/connection"] / base).toFixed(2)}×` })),
  );
}

// ------------------------------------------------------------ slow clients
{
  const SLOW = 2000;
  const server = await ours("cosocket");
  const slow: Deno.Conn[] = [];
  let trickle: ReturnType<typeof setInterval> | undefined;
  try {
    const calm = await wrk(`http://127.0.0.1:${server.port}/`, 1, 1, 3);
    for (let start = 0; start < SLOW; start += 500) {
      slow.push(
        ...await Promise.all(Array.from({ length: 500 }, async () => {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
          await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n"));
          return conn;
        })),
      );
    }
    // One more header byte per connection every 200 ms: never a whole head.
    const byte = new TextEncoder().encode("x");
    trickle = setInterval(() => {
      for (const conn of slow) conn.write(byte).catch(() => {});
    }, 200);
    const loaded = await wrk(`http://127.0.0.1:${server.port}/`, 1, 1, 3);
    console.log(
      `\nA normal client (wrk, 1 connection) while ${SLOW} slow clients trickle their heads`,
    );
    console.table([
      { while: "alone", "req/s": Math.round(calm.rps), "p99 ms": calm.p99.toFixed(2) },
      {
        while: `${SLOW} slow clients`,
        "req/s": Math.round(loaded.rps),
        "p99 ms": loaded.p99.toFixed(2),
      },
    ]);
  } finally {
    clearInterval(trickle);
    for (const conn of slow) {
      try {
        conn.close();
      } catch {
        // The server closed it.
      }
    }
    await server.stop();
  }
}
