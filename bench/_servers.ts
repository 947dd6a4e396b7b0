/** Starts the echo servers the socket benchmarks compare, each in its own process. */
export interface ServerProcess {
  name: string;
  port: number;
  pid: number;
  /**
   * Asks the server to run a full garbage collection; with `compact`, V8's
   * memory-reducing one (Deno servers only; others ignore it).
   */
  gc(compact?: boolean): Promise<void>;
  stop(): Promise<void>;
}

const here = new URL("./servers/", import.meta.url);

export const SERVERS = {
  plain: {
    name: "plain Deno.listen loop",
    cmd: Deno.execPath(),
    args: [
      "run",
      "--v8-flags=--expose-gc",
      "--allow-net=127.0.0.1",
      new URL("plain_echo.ts", here).pathname,
    ],
  },
  cosocket: {
    name: "cosocket server",
    cmd: Deno.execPath(),
    args: [
      "run",
      "--v8-flags=--expose-gc",
      "--allow-net=127.0.0.1",
      new URL("cosocket_echo.ts", here).pathname,
    ],
  },
  cosocketInto: {
    name: "cosocket server (readInto)",
    cmd: Deno.execPath(),
    args: [
      "run",
      "--v8-flags=--expose-gc",
      "--allow-net=127.0.0.1",
      new URL("cosocket_echo.ts", here).pathname,
      "--into",
    ],
  },
  floorBare: floorSpec("floor: generator yielding promises", "bare"),
  floorDelegate: floorSpec("floor: generator delegating to operations", "delegate"),
  plainFresh: floorSpec("floor: plain loop, a fresh chunk per read", "fresh"),
  node: {
    name: "Node net server",
    cmd: "node",
    args: [new URL("node_echo.mjs", here).pathname],
  },
} as const;

/** A mode of `servers/floor_echo.ts`: what any cosocket costs at the least. */
function floorSpec(name: string, mode: string) {
  return {
    name,
    cmd: Deno.execPath(),
    args: [
      "run",
      "--v8-flags=--expose-gc",
      "--allow-net=127.0.0.1",
      new URL("floor_echo.ts", here).pathname,
      mode,
    ],
  };
}

export async function startServer(
  spec: { name: string; cmd: string; args: readonly string[] },
  extraArgs: string[] = [],
): Promise<ServerProcess> {
  const child = new Deno.Command(spec.cmd, {
    args: [...spec.args, ...extraArgs],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Cannot start ${spec.name}: it exited`);
    text += value;
  }
  reader.releaseLock();
  const writer = child.stdin.getWriter();
  return {
    name: spec.name,
    port: Number(text.trim()),
    pid: child.pid,
    async gc(compact = false) {
      await writer.write(new TextEncoder().encode(compact ? "compact\n" : "gc\n"));
    },
    async stop() {
      await writer.close().catch(() => {});
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

/**
 * The WebSocket echo servers bench/websocket_bench.ts compares, each run by
 * {@linkcode startServer}: ours (`upgrade` over `bind`, by default and with
 * the `reuseReadBuffer` option), Deno's own
 * (`Deno.serve` + `Deno.upgradeWebSocket`), npm `ws` with `bufferutil` on
 * Node, loaded from `nodePrefix` (see bench/_ws_peers.ts), and a featureless
 * JavaScript echo on `Deno.listen` (the least such a server can do).
 */
export function wsServers(nodePrefix: string) {
  return {
    cosocket: {
      name: "cosocket upgrade()",
      cmd: Deno.execPath(),
      args: ["run", "--allow-net=127.0.0.1", new URL("ws_cosocket_echo.ts", here).pathname],
    },
    cosocketReuse: {
      name: "cosocket upgrade() (reuseReadBuffer)",
      cmd: Deno.execPath(),
      args: [
        "run",
        "--allow-net=127.0.0.1",
        new URL("ws_cosocket_echo.ts", here).pathname,
        "--reuse",
      ],
    },
    native: {
      name: "Deno.upgradeWebSocket",
      cmd: Deno.execPath(),
      args: ["run", "--allow-net=127.0.0.1", new URL("ws_native_echo.ts", here).pathname],
    },
    node: {
      name: "ws + bufferutil (Node)",
      cmd: "node",
      args: [new URL("ws_node_echo.mjs", here).pathname, nodePrefix],
    },
    floor: {
      name: "featureless JS echo",
      cmd: Deno.execPath(),
      args: [
        "run",
        "--allow-net=127.0.0.1",
        new URL("ws_floor_echo.ts", here).pathname,
      ],
    },
  } as const;
}
