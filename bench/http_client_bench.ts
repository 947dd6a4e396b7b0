/**
 * HTTP client throughput, side by side in one run: keep-alive GETs with 10
 * requests in flight against one Node `http` server (its own process), for a
 * 14-byte and a 1 MiB body. Ours (awaited, and as cosockets with `yield*`)
 * against Deno's `fetch` in this process and undici 7's `request` on Node.
 * Rounds are interleaved; the medians and the ratios to `fetch` are printed.
 *
 * ```sh
 * deno task bench http_client
 * ```
 */
import { bind, closePool, connect, run, type Socket } from "@cosocket/socket";
import { fetch as cosocketFetch, httpc } from "@cosocket/http";
import { installNodePeers } from "./_ws_peers.ts";

const IN_FLIGHT = 10;
const ROUND_MS = 2000;
const ROUNDS = 3;
const here = new URL(".", import.meta.url);

async function startServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = new Deno.Command("node", {
    args: [new URL("servers/http_node_server.mjs", here).pathname],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  reader.releaseLock();
  return {
    port: Number(text.trim()),
    async stop() {
      await child.stdin.close();
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

type Client = (url: string, ms: number) => Promise<number>;

const oursAwait: Client = async (url, ms) => {
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    await using client = httpc();
    while (performance.now() < end) {
      await client.request({ url });
      await client.read("a");
      count++;
    }
  }));
  return count;
};

const oursCosocket: Client = async (url, ms) => {
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: IN_FLIGHT }, () =>
    run(function* () {
      const client = httpc();
      try {
        while (performance.now() < end) {
          yield* client.request({ url });
          yield* client.read("a");
          count++;
        }
      } finally {
        client.close();
      }
    })));
  return count;
};

const denoFetch: Client = async (url, ms) => {
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < end) {
      await (await fetch(url)).arrayBuffer();
      count++;
    }
  }));
  return count;
};

const oursFetch: Client = async (url, ms) => {
  let count = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < end) {
      await (await cosocketFetch(url)).arrayBuffer();
      count++;
    }
  }));
  return count;
};

function undiciOnNode(prefix: string): Client {
  return async (url, ms) => {
    const out = await new Deno.Command("node", {
      args: [
        new URL("load/undici_client.mjs", here).pathname,
        prefix,
        url,
        String(IN_FLIGHT),
        String(ms),
      ],
      stdout: "piped",
    }).output();
    if (!out.success) throw new Error("The undici client failed");
    return Number(new TextDecoder().decode(out.stdout).trim());
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const prefix = await installNodePeers();
const server = await startServer();
const clients: [string, Client][] = [
  ["Deno fetch", denoFetch],
  ["cosocket httpc (await)", oursAwait],
  ["cosocket httpc (cosocket, yield*)", oursCosocket],
  ["cosocket fetch()", oursFetch],
  ["undici 7 request (Node)", undiciOnNode(prefix)],
];
try {
  // First, while the process is still small: streamed transfers must not grow it.
  await streamed(server.port);
  await latencyUnderLoad(server.port);
  for (const [path, label] of [["/small", "14 B body"], ["/big", "1 MiB body"]] as const) {
    const url = `http://127.0.0.1:${server.port}${path}`;
    const results = new Map<string, number[]>(clients.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, client] of clients) {
        const count = await client(url, ROUND_MS);
        results.get(name)!.push(count / (ROUND_MS / 1000));
        await closePool();
      }
    }
    const base = median(results.get("Deno fetch")!);
    console.log(
      `\nkeep-alive GET, ${IN_FLIGHT} in flight, ${label} (median of ${ROUNDS} interleaved rounds)`,
    );
    console.table(
      [...results].map(([name, rates]) => ({
        client: name,
        "req/s": Math.round(median(rates)),
        "vs fetch": `${(median(rates) / base).toFixed(2)}×`,
      })),
    );
  }
} finally {
  await server.stop();
}

/** 256 MiB down and up, streamed: throughput and how much the process grew. */
async function streamed(port: number): Promise<void> {
  const MiB = 1024 * 1024;
  const url = `http://127.0.0.1:${port}/huge`;
  const piece = new Uint8Array(MiB).fill(0x62);
  const rows: Record<string, string | number>[] = [];
  const measure = async (name: string, body: () => Promise<number>) => {
    (globalThis as { gc?: () => void }).gc?.();
    const before = Deno.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 20);
    const started = performance.now();
    const bytes = await body();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    rows.push({
      case: name,
      "MB/s": Math.round(bytes / seconds / 1e6),
      "RSS before MiB": Math.round(before / MiB),
      "RSS growth MiB": Math.round((Math.max(peak, Deno.memoryUsage().rss) - before) / MiB),
    });
  };
  await measure("download 256 MiB: Deno fetch", async () => {
    let total = 0;
    for await (const chunk of (await fetch(url)).body!) total += chunk.length;
    return total;
  });
  await measure("download 256 MiB: cosocket fetch() (stream)", async () => {
    let total = 0;
    for await (const chunk of (await cosocketFetch(url)).body!) total += chunk.length;
    return total;
  });
  await measure("download 256 MiB: cosocket fetch() (BYOB reader, 1 MiB buffer)", async () => {
    const reader = (await cosocketFetch(url)).body!.getReader({ mode: "byob" });
    let buffer = new Uint8Array(MiB);
    let total = 0;
    while (true) {
      const { done, value } = await reader.read(buffer);
      if (done) break;
      total += value.length;
      buffer = new Uint8Array(value.buffer);
    }
    return total;
  });
  await measure("download 256 MiB: cosocket httpc read(1 MiB)", async () => {
    await using client = httpc();
    await client.request({ url });
    let total = 0;
    let chunk;
    while ((chunk = await client.read(MiB)) !== null) total += chunk.length;
    return total;
  });
  await measure("download 256 MiB: cosocket httpc readInto(1 MiB buffer)", async () => {
    await using client = httpc();
    await client.request({ url });
    const buffer = new Uint8Array(MiB);
    let total = 0;
    let count;
    while ((count = await client.readInto(buffer)) !== null) total += count;
    return total;
  });
  // 256 fresh 1 MiB pieces, as a producer that hands each one over would make them.
  const upload = async (send: (url: string, init: RequestInit) => Promise<Response>) => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 256) return controller.close();
        sent++;
        controller.enqueue(piece.slice());
      },
    });
    const response = await send(`http://127.0.0.1:${port}/up`, { method: "PUT", body });
    return Number(await response.text());
  };
  await measure("upload 256 MiB: Deno fetch (stream)", () => upload(fetch));
  await measure("upload 256 MiB: cosocket fetch() (stream)", () => upload(cosocketFetch));
  await measure("upload 256 MiB: cosocket httpc write(1 MiB)", async () => {
    await using client = httpc();
    await client.request({ url: `http://127.0.0.1:${port}/up`, method: "PUT", size: 256 * MiB });
    for (let i = 0; i < 256; i++) await client.write(piece);
    return Number(await client.text());
  });
  console.log("\nstreamed transfers, one at a time (RSS growth: peak while running)");
  console.table(rows);
}

/** One echo server and its pinger in this process, and 100 downloads beside them. */
interface LatencyRig {
  ping(): Promise<void>;
  download(url: string, end: number): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The cosocket echo server, pinged by a socket, and `httpc` downloads with `readInto`. */
async function cosocketRig(): Promise<LatencyRig> {
  const echo = bind(0, { hostname: "127.0.0.1" }).event(function* (listener) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        let data;
        while ((data = yield* sock.read()) !== null) yield* sock.write(data);
      });
    }
  });
  const pinger = await connect("127.0.0.1", echo.sockname().port);
  return {
    async ping() {
      await pinger.write("ping");
      await pinger.readExactly(4);
    },
    async download(url, end) {
      await using client = httpc();
      const buffer = new Uint8Array(256 * 1024);
      let count = 0;
      for (; performance.now() < end; count++) {
        await client.request({ url });
        while ((await client.readInto(buffer)) !== null);
      }
      return count;
    },
    async [Symbol.asyncDispose]() {
      await pinger.close();
      await echo.close();
      await closePool();
    },
  };
}

/**
 * The same with nothing of ours: a `Deno.listen` echo loop, a `Deno.connect`
 * pinger, and downloads that write the request and count the body's bytes
 * with `conn.read` into a 256 KiB buffer. What the platform itself allows.
 */
async function plainRig(): Promise<LatencyRig> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      (async () => {
        const buffer = new Uint8Array(4096);
        let count;
        while ((count = await conn.read(buffer).catch(() => null)) !== null) {
          await conn.write(buffer.subarray(0, count));
        }
        conn.close();
      })();
    }
  })();
  const pinger = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const ping = new TextEncoder().encode("ping");
  const pong = new Uint8Array(4);
  return {
    async ping() {
      await pinger.write(ping);
      for (let got = 0; got < 4;) got += (await pinger.read(pong.subarray(got)))!;
    },
    async download(url, end) {
      const { hostname, port, pathname } = new URL(url);
      const conn = await Deno.connect({ hostname, port: Number(port) });
      const request = new TextEncoder().encode(
        `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`,
      );
      const buffer = new Uint8Array(256 * 1024);
      let count = 0;
      for (; performance.now() < end; count++) {
        await conn.write(request);
        let head = "";
        let left = Infinity;
        while (left > 0) {
          const got = (await conn.read(buffer))!;
          if (left === Infinity) {
            head += new TextDecoder().decode(buffer.subarray(0, got));
            const at = head.indexOf("\r\n\r\n");
            if (at === -1) continue;
            left = Number(/content-length: *(\d+)/i.exec(head)![1]) - (head.length - at - 4);
          } else left -= got;
        }
      }
      conn.close();
      return count;
    },
    async [Symbol.asyncDispose]() {
      pinger.close();
      listener.close();
      await served;
    },
  };
}

/**
 * An echo server in this process keeps answering while 100 downloads (1 MiB
 * bodies, for 3 s) run in the same process: echo round-trip p50/p99, ours
 * and the plain Deno equivalent in interleaved rounds.
 */
async function latencyUnderLoad(port: number): Promise<void> {
  // Unmeasured first: the peer's and this process's first moments under
  // this load (buffers, code, connections) would otherwise fall on one rig.
  for (const makeRig of [plainRig, cosocketRig]) {
    await using rig = await makeRig();
    const end = performance.now() + 1000;
    await Promise.all(
      Array.from({ length: 100 }, () => rig.download(`http://127.0.0.1:${port}/big`, end)),
    );
  }
  const rows: Record<string, string>[] = [];
  for (let round = 0; round < 2; round++) {
    for (const [name, makeRig] of [["plain Deno", plainRig], ["cosocket", cosocketRig]] as const) {
      await using rig = await makeRig();
      const end = performance.now() + 3000;
      const load = Promise.all(
        Array.from({ length: 100 }, () => rig.download(`http://127.0.0.1:${port}/big`, end)),
      );
      const times: number[] = [];
      while (performance.now() < end) {
        const started = performance.now();
        await rig.ping();
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const downloads = (await load).reduce((sum, count) => sum + count, 0);
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
      rows.push({
        "echo server and downloads": name,
        downloads: String(downloads),
        pings: String(times.length),
        "p50 ms": at(0.5),
        "p99 ms": at(0.99),
      });
    }
  }
  console.log(
    "\necho round trips in this process during 100 concurrent 1 MiB downloads for 3 s " +
      "(goal: p99 < 50 ms)",
  );
  console.table(rows);
}
