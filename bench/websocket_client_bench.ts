/**
 * WebSocket clients, side by side in one process: our `connect()` (in a
 * cosocket, and with `await`) against Deno's native `WebSocket`, both talking
 * to the same server: the C server of `load/ws_load.c` (`ws_load serve`,
 * compiled with `cc -O2` on first use), which costs far less per message than
 * any client measured, pinned to core 1 while this process is pinned to core
 * 0 when `taskset` exists (with `deno run`; under `deno bench` the process is
 * shared with other benchmark files and stays unpinned).
 *
 * Ours runs with default options and with `reuseReadBuffer`.
 *
 * Scenarios, each on one connection opened beforehand:
 * - ping-pong: send one message, wait for its echo, repeat;
 * - pipelined echo: up to `window` messages in flight, a new one sent as each
 *   echo arrives;
 * - send: messages sent back to back to a sink that answers once it has all;
 * - receive: one request, then the server sends messages back to back.
 *
 * Native `WebSocket` is used as its users write it: `send()` and
 * `onmessage`, `binaryType = "arraybuffer"`.
 *
 * Two ways to run it:
 * - `deno run -A bench/websocket_client_bench.ts [--rounds=5] [--only=NAME]`:
 *   interleaved rounds, medians of msg/s and the ratios of ours to native
 *   (what the README reports);
 * - `deno task bench bench/websocket_client_bench.ts`: one `deno bench` group
 *   per scenario, native as the baseline.
 */
import { run } from "../socket/mod.ts";
import type { ConnectOptions, WsSocket } from "../websocket/mod.ts";
import { startServer } from "./_servers.ts";
import { buildWsLoad, markdownTable, median } from "./_ws_peers.ts";
import { hasTaskset, pinnedTo } from "./_load_clients.ts";

interface Scenario {
  name: string;
  /** Server path; `/` echoes. */
  path: string;
  kind: "pingpong" | "pipelined" | "send" | "receive";
  size: number;
  /** Messages per run. */
  count: number;
  window?: number;
}

const SCENARIOS: Scenario[] = [
  { name: "ping-pong 20 B", path: "/", kind: "pingpong", size: 20, count: 5_000 },
  { name: "ping-pong 16 KiB", path: "/", kind: "pingpong", size: 16384, count: 2_000 },
  {
    name: "pipelined echo 20 B",
    path: "/",
    kind: "pipelined",
    size: 20,
    count: 50_000,
    window: 64,
  },
  {
    name: "pipelined echo 16 KiB",
    path: "/",
    kind: "pipelined",
    size: 16384,
    count: 10_000,
    window: 16,
  },
  { name: "send 20 B", path: "/sink?n=100000", kind: "send", size: 20, count: 100_000 },
  { name: "send 16 KiB", path: "/sink?n=10000", kind: "send", size: 16384, count: 10_000 },
  { name: "receive 20 B", path: "/push?n=100000&s=20", kind: "receive", size: 20, count: 100_000 },
  {
    name: "receive 16 KiB",
    path: "/push?n=10000&s=16384",
    kind: "receive",
    size: 16384,
    count: 10_000,
  },
  {
    name: "receive 16 KiB text",
    path: "/push?n=10000&s=16384&text=1",
    kind: "receive",
    size: 16384,
    count: 10_000,
  },
];

/** One open connection of one client implementation. */
interface Connection {
  /** Runs the scenario once. */
  run(scenario: Scenario, payload: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

interface Client {
  /** Short, for table headers; the legend printed first explains it. */
  name: string;
  open(url: string): Promise<Connection>;
}

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return Deno.args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

function fail(message: string): never {
  throw new Error(message);
}

/** Deno's native WebSocket, with callbacks as its users write it. */
const native: Client = {
  name: "native",
  async open(url) {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
    ws.onerror = null;
    return {
      run(scenario, payload) {
        return new Promise<void>((resolve, reject) => {
          ws.onclose = () => reject(new Error("The server closed the connection"));
          let sent = 0;
          let received = 0;
          const { count } = scenario;
          switch (scenario.kind) {
            case "pingpong":
              ws.onmessage = () => ++received === count ? resolve() : ws.send(payload);
              ws.send(payload);
              sent++;
              break;
            case "pipelined":
              ws.onmessage = () => {
                if (++received === count) resolve();
                else if (sent < count) ws.send(payload), sent++;
              };
              while (sent < Math.min(scenario.window!, count)) ws.send(payload), sent++;
              break;
            case "send":
              ws.onmessage = (event) =>
                event.data === String(count) ? resolve() : reject(new Error("Unexpected reply"));
              while (sent < count) ws.send(payload), sent++;
              break;
            case "receive":
              ws.onmessage = (event) => {
                if (++received === count) {
                  const size = typeof event.data === "string"
                    ? event.data.length
                    : (event.data as ArrayBuffer).byteLength;
                  size === scenario.size ? resolve() : reject(new Error("Wrong message size"));
                }
              };
              ws.send("go");
              break;
          }
        });
      },
      async close() {
        ws.onclose = null;
        const closed = new Promise((resolve) => ws.onclose = resolve);
        ws.close(1000);
        await closed;
      },
    };
  },
};

type Connect = (url: string, options?: ConnectOptions) => PromiseLike<WsSocket>;

/** Our client: one cosocket runs the whole scenario. */
function cosocketClient(connect: Connect, reuseReadBuffer = false): Client {
  return {
    name: reuseReadBuffer ? "ours, reuse" : "ours",
    async open(url) {
      // The scenarios only count the messages they read, so a reused buffer is safe.
      const ws = await connect(url, { reuseReadBuffer });
      return {
        async run(scenario, payload) {
          await run(function* () {
            const { count } = scenario;
            switch (scenario.kind) {
              case "pingpong":
                for (let i = 0; i < count; i++) {
                  yield* ws.write(payload);
                  if ((yield* ws.readMessage()) === null) fail("The server closed the connection");
                }
                break;
              case "pipelined": {
                let sent = 0;
                while (sent < Math.min(scenario.window!, count)) yield* ws.write(payload), sent++;
                for (let received = 0; received < count; received++) {
                  if ((yield* ws.readMessage()) === null) fail("The server closed the connection");
                  if (sent < count) yield* ws.write(payload), sent++;
                }
                break;
              }
              case "send": {
                for (let sent = 0; sent < count; sent++) yield* ws.write(payload);
                if ((yield* ws.readMessage()) !== String(count)) fail("Unexpected reply");
                break;
              }
              case "receive": {
                yield* ws.write("go", true);
                let message: string | Uint8Array | null = null;
                for (let received = 0; received < count; received++) {
                  message = yield* ws.readMessage();
                  if (message === null) fail("The server closed the connection");
                }
                if (message!.length !== scenario.size) fail("Wrong message size");
                break;
              }
            }
          });
        },
        async close() {
          await ws.close(1000);
        },
      };
    },
  };
}

/** Our client with `await` on every operation, outside any cosocket. */
function awaitClient(connect: Connect): Client {
  return {
    name: "ours, await",
    async open(url) {
      const ws = await connect(url);
      return {
        async run(scenario, payload) {
          const { count } = scenario;
          switch (scenario.kind) {
            case "pingpong":
              for (let i = 0; i < count; i++) {
                await ws.write(payload);
                if ((await ws.readMessage()) === null) fail("The server closed the connection");
              }
              break;
            case "pipelined": {
              let sent = 0;
              while (sent < Math.min(scenario.window!, count)) await ws.write(payload), sent++;
              for (let received = 0; received < count; received++) {
                if ((await ws.readMessage()) === null) fail("The server closed the connection");
                if (sent < count) await ws.write(payload), sent++;
              }
              break;
            }
            case "send":
              for (let sent = 0; sent < count; sent++) await ws.write(payload);
              if ((await ws.readMessage()) !== String(count)) fail("Unexpected reply");
              break;
            case "receive": {
              await ws.write("go", true);
              let message: string | Uint8Array | null = null;
              for (let received = 0; received < count; received++) {
                message = await ws.readMessage();
                if (message === null) fail("The server closed the connection");
              }
              if (message!.length !== scenario.size) fail("Wrong message size");
              break;
            }
          }
        },
        async close() {
          await ws.close(1000);
        },
      };
    },
  };
}

async function pinSelf(core: number): Promise<boolean> {
  try {
    return (await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", String(core), String(Deno.pid)],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

const pin = await hasTaskset();
// Under `deno bench` this process also runs other benchmark files: it stays unpinned.
const pinnedSelf = pin && import.meta.main && await pinSelf(0);
const binary = await buildWsLoad();
const server = await startServer(
  pinnedTo({ name: "C WebSocket server", cmd: binary, args: ["serve"] }, 1, pin),
);
globalThis.addEventListener("unload", () => {
  try {
    Deno.kill(server.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
});

const clients: Client[] = [native];
try {
  const { connect } = await import("../websocket/mod.ts");
  clients.push(cosocketClient(connect), cosocketClient(connect, true), awaitClient(connect));
} catch (error) {
  console.error(`Skipping our client: ${(error as Error).message}`);
}
const only = option("only", "");
const scenarios = SCENARIOS.filter((scenario) => scenario.name.includes(only));

function payloadOf(scenario: Scenario): Uint8Array {
  return Uint8Array.from({ length: scenario.size }, (_, i) => (i * 7 + 3) & 255);
}

/** Opens one connection per client and scenario, up front. */
async function openAll(): Promise<Map<string, Connection>> {
  const connections = new Map<string, Connection>();
  for (const scenario of scenarios) {
    for (const client of clients) {
      connections.set(
        `${client.name}|${scenario.name}`,
        await client.open(`ws://127.0.0.1:${server.port}${scenario.path}`),
      );
    }
  }
  return connections;
}

async function closeAll(connections: Map<string, Connection>): Promise<void> {
  for (const connection of connections.values()) await connection.close();
}

if (import.meta.main) {
  const connections = await openAll();
  try {
    await measure(connections);
  } finally {
    await closeAll(connections);
    await server.stop();
  }
} else {
  const connections = await openAll();
  for (const scenario of scenarios) {
    const payload = payloadOf(scenario);
    for (const client of clients) {
      const connection = connections.get(`${client.name}|${scenario.name}`)!;
      Deno.bench({
        name: `${scenario.name} × ${scenario.count}: ${client.name}`,
        group: scenario.name,
        baseline: client === native,
        warmup: 2,
        n: 10,
        async fn() {
          await connection.run(scenario, payload);
        },
      });
    }
  }
}

async function measure(connections: Map<string, Connection>): Promise<void> {
  const rounds = Number(option("rounds", "5"));
  const pinning = pinnedSelf ? "client on core 0, server on core 1" : "not pinned";
  console.log(
    `Deno ${Deno.version.deno}; C server (ws_load serve); ${pinning}; ${rounds} interleaved rounds`,
  );
  console.log(
    "native: Deno's WebSocket; ours: connect() in a cosocket; ours, reuse: the same with " +
      "reuseReadBuffer; ours, await: connect() with await on every operation\n",
  );
  const header = ["Scenario", ...clients.map((client) => client.name)];
  const ours = clients.slice(1);
  for (const client of ours) header.push(`${client.name} ÷ native`);
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    const payload = payloadOf(scenario);
    const rates = new Map(clients.map((client) => [client, [] as number[]]));
    for (const client of clients) {
      await connections.get(`${client.name}|${scenario.name}`)!.run(scenario, payload); // warm-up
    }
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < clients.length; turn++) {
        const client = clients[(round + turn) % clients.length]!;
        const start = performance.now();
        await connections.get(`${client.name}|${scenario.name}`)!.run(scenario, payload);
        rates.get(client)!.push(scenario.count / ((performance.now() - start) / 1000));
      }
    }
    const cells = [`${scenario.name} × ${scenario.count.toLocaleString("en-US")}`];
    for (const client of clients) {
      cells.push(Math.round(median(rates.get(client)!)).toLocaleString("en-US"));
    }
    for (const client of ours) {
      const perRound = rates.get(client)!.map((rate, round) => rate / rates.get(native)![round]!);
      cells.push(
        `**${(median(rates.get(client)!) / median(rates.get(native)!)).toFixed(2)}×** (${
          Math.min(...perRound).toFixed(2)
        }–${Math.max(...perRound).toFixed(2)})`,
      );
    }
    rows.push(cells);
    console.error(`  done: ${scenario.name}`);
  }
  console.log("msg/s, medians (ratio per-round range in parentheses):");
  for (const line of markdownTable(header, rows)) console.log(line);
}
