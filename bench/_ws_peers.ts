/**
 * Helpers of the WebSocket benchmarks (bench/websocket_bench.ts,
 * bench/websocket_client_bench.ts): the C load client `load/ws_load.c`
 * (built with `cc -O2` into `$TMPDIR`), CPU pinning with `taskset`, CPU
 * accounting from /proc, CPU profile summaries, and the Node peers.
 *
 * The Node peers are npm `ws` with its native add-ons `bufferutil` (masking)
 * and `utf-8-validate`, installed by npm into a cache folder outside the
 * repository (`$TMPDIR/cosocket-bench-node`, or `$COSOCKET_BENCH_NODE`) on
 * first use; later runs reuse it. `ws` masks with `bufferutil` for frames of
 * 48 bytes and more, and on Node ≥ 18.14 validates UTF-8 with the native
 * `buffer.isUtf8` rather than `utf-8-validate`; {@linkcode describeNodePeers}
 * reports what it really uses.
 */

import { buildLoadClient, pinnedTo } from "./_load_clients.ts";

/** Pinned versions: the figures in the README were measured with these. */
export const NODE_PEERS = [
  "ws@8.18.3",
  "bufferutil@4.1.0",
  "utf-8-validate@6.0.6",
  "undici@7.30.2",
  "smtp-server@3.21.6",
  "nodemailer@10.6.1",
] as const;

/** The cache folder the Node peers are installed into. */
export function nodePeersPrefix(): string {
  return Deno.env.get("COSOCKET_BENCH_NODE") ??
    `${Deno.env.get("TMPDIR") ?? "/tmp"}/cosocket-bench-node`;
}

/**
 * Installs the Node peers into {@linkcode nodePeersPrefix} unless the pinned
 * versions are already there.
 *
 * @returns The prefix to hand to `bench/servers/ws_node_echo.mjs`.
 * @throws Error if npm fails.
 */
export async function installNodePeers(): Promise<string> {
  const prefix = nodePeersPrefix();
  if (await installed(prefix)) return prefix;
  await Deno.mkdir(prefix, { recursive: true });
  const output = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
      ...NODE_PEERS,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success || !await installed(prefix)) {
    throw new Error(
      `Cannot install the Node peers into ${prefix}: ${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return prefix;
}

async function installed(prefix: string): Promise<boolean> {
  for (const spec of NODE_PEERS) {
    const [name, version] = spec.split("@") as [string, string];
    try {
      const manifest = JSON.parse(
        await Deno.readTextFile(`${prefix}/node_modules/${name}/package.json`),
      );
      if (manifest.version !== version) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Asks Node which masking and UTF-8 code `ws` really uses from `prefix`.
 *
 * @returns One line, e.g. `ws 8.18.3, mask: bufferutil (native), UTF-8: buffer.isUtf8 (native)`.
 */
export async function describeNodePeers(prefix: string): Promise<string> {
  const script = `
    const { createRequire } = require("node:module");
    const path = require("node:path");
    const r = createRequire(path.join(${JSON.stringify(prefix)}, "/"));
    const dir = path.dirname(r.resolve("ws/package.json"));
    const wr = createRequire(path.join(dir, "/"));
    const bu = r(path.join(dir, "lib", "buffer-util.js"));
    const va = r(path.join(dir, "lib", "validation.js"));
    const addOn = wr("bufferutil");
    const nativeMask = bu.unmask.name !== "_unmask" && String(addOn.unmask).includes("[native code]");
    const utf8 = String(va.isValidUTF8).includes("isUtf8(") ? "buffer.isUtf8 (native)"
      : String(va.isValidUTF8).includes("isValidUTF8(buf)") ? "utf-8-validate"
      : "JavaScript";
    console.log("ws " + r("ws/package.json").version + " on Node " + process.versions.node +
      ", mask: " + (nativeMask ? "bufferutil (native)" : "JavaScript") + ", UTF-8: " + utf8);
  `;
  const output = await new Deno.Command("node", { args: ["-e", script] }).output();
  if (!output.success) {
    throw new Error(`Cannot inspect ws: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).trim();
}

/** What `ws_load client` prints. */
export interface WsLoadResult {
  mode: string;
  connections: number;
  size: number;
  messages: number;
  seconds: number;
  msgPerSec: number;
  /** Payload bytes per second, one way. */
  bytesPerSec: number;
  /** Connections whose closing handshake completed. */
  closed: number;
}

/**
 * Compiles `bench/load/ws_load.c` with `cc -O2` into `$TMPDIR`.
 *
 * @returns The binary's path.
 * @throws Error if `cc` fails.
 */
export function buildWsLoad(): Promise<string> {
  return buildLoadClient("ws_load");
}

/** Options of one `ws_load client` run. */
export interface WsLoadOptions {
  port: number;
  connections: number;
  size: number;
  /** Messages per connection at most. */
  messages: number;
  /** Seconds at most. */
  seconds: number;
  /** @default "binary" */
  mode?: "binary" | "text" | "utf8";
  /** @default "/" */
  path?: string;
  /** Pin the client to core 0 with taskset. */
  pin: boolean;
}

/**
 * Runs the C load client once.
 *
 * @returns What it measured.
 * @throws Error if it fails (a server error, a wrong echo, a timeout).
 */
export async function runWsLoad(binary: string, options: WsLoadOptions): Promise<WsLoadResult> {
  const spec = pinnedTo(
    {
      cmd: binary,
      args: [
        "client",
        String(options.port),
        String(options.connections),
        String(options.size),
        String(options.messages),
        String(options.seconds),
        options.mode ?? "binary",
        options.path ?? "/",
      ],
    },
    0,
    options.pin,
  );
  const output = await new Deno.Command(spec.cmd, { args: spec.args }).output();
  if (!output.success) {
    throw new Error(`Load client failed: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/**
 * Seconds of CPU a process has used (user + system), from /proc.
 *
 * @returns The seconds, or `NaN` where /proc cannot be read (Deno lets only
 * `--allow-all` read it).
 */
export function cpuSeconds(pid: number): number {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The median of some numbers, `NaN` ones left out (`NaN` if none is left). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * The functions that used the most CPU in a V8 `.cpuprofile` (as written by
 * `deno run --cpu-prof`), by self time, as shares of the busy time (samples
 * not `(idle)`). Time the thread spends in Deno's Rust event loop, outside
 * any op called from JavaScript, counts as idle.
 *
 * @returns One line per function: share, name, file:line.
 */
export function summarizeCpuProfile(path: string, top = 15): string[] {
  const profile = JSON.parse(Deno.readTextFileSync(path)) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === "(idle)") return;
    const delta = profile.timeDeltas[i] ?? 0;
    const file = frame.url.replace(/^.*\//, "");
    const key = `${frame.functionName || "(anonymous)"} ${
      file ? `${file}:${frame.lineNumber + 1}` : ""
    }`;
    self.set(key, (self.get(key) ?? 0) + delta);
    busy += delta;
  });
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, time]) =>
    `${(100 * time / busy).toFixed(1).padStart(5)} %  ${key}`
  );
}

/**
 * A Markdown table, numbers right-aligned (every column but the first).
 *
 * @returns The lines of the table.
 */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0))
  );
  const line = (cells: string[]) =>
    `| ${
      widths.map((width, i) =>
        i === 0 ? (cells[i] ?? "").padEnd(width) : (cells[i] ?? "").padStart(width)
      )
        .join(" | ")
    } |`;
  const rule = `| ${
    widths.map((width, i) => i === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`).join(" | ")
  } |`;
  return [line(header), rule, ...rows.map(line)];
}
