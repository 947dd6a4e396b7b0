// permessage-deflate throughput: our synchronous context against npm `ws`'s
// PerMessageDeflate (zlib streams, one callback per message) and the platform's one-shot
// CompressionStream("deflate-raw") (which cannot keep context between messages), for
// 1 KiB, 16 KiB and 1 MiB messages of JSON-like text, deflate and inflate.
//
//   deno bench --allow-read --allow-env bench/websocket_deflate_bench.ts
//
// Each group's baseline is ws. Messages cycle through 8 distinct texts, compressed in
// order with context takeover (level 6, 15-bit windows on both sides); inflation replays
// a pre-compressed stream in order. Deno prints each row's ratio to the baseline. The
// machine may be shared: compare rows of one run, and expect noise.

import { createRequire } from "node:module";
import "npm:ws@8.23.0";
import { type DeflateParams, PerMessageDeflate } from "../websocket/_permessage_deflate.ts";

interface WsPerMessageDeflate {
  accept(configurations: Record<string, unknown>[]): unknown;
  compress(data: Uint8Array, fin: boolean, cb: (e: Error | null, r?: Uint8Array) => void): void;
  decompress(data: Uint8Array, fin: boolean, cb: (e: Error | null, r?: Uint8Array) => void): void;
}
const WsPerMessageDeflate = createRequire(import.meta.resolve("npm:ws@8.23.0"))(
  "./lib/permessage-deflate.js",
) as new (options: Record<string, unknown>) => WsPerMessageDeflate;

const PARAMS: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const LIMIT = 64 << 20;

function text(size: number, seed: number): Uint8Array {
  const words = ["alpha", "beta", "gamma", "delta", "price", "name", "user", "id", "time"];
  let s = "";
  while (s.length < size) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    s += `{"${words[seed % words.length]}":${seed % 1000003},"v":"${(seed % 997) / 997}"},`;
  }
  return new TextEncoder().encode(s.slice(0, size));
}

function ws(isServer: boolean): WsPerMessageDeflate {
  const pmd = new WsPerMessageDeflate({ isServer, maxPayload: LIMIT });
  pmd.accept([{}]);
  return pmd;
}

function wsCall(
  pmd: WsPerMessageDeflate,
  method: "compress" | "decompress",
  data: Uint8Array,
): Promise<Uint8Array> {
  const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
  pmd[method](data, true, (error, result) => error ? reject(error) : resolve(result!));
  return promise;
}

async function stream(data: Uint8Array, transform: TransformStream): Promise<Uint8Array> {
  const blob = new Blob([data as Uint8Array<ArrayBuffer>]);
  return new Uint8Array(await new Response(blob.stream().pipeThrough(transform)).arrayBuffer());
}

for (const [label, size] of [["1 KiB", 1024], ["16 KiB", 16384], ["1 MiB", 1 << 20]] as const) {
  const messages = Array.from({ length: 8 }, (_, i) => text(size, i + 1));
  // An in-order stream long enough that contexts are rarely rebuilt while inflating.
  const count = Math.max(8, Math.min(2048, (32 << 20) / size));
  const deflater = new PerMessageDeflate(PARAMS, "server", { maxMessageSize: LIMIT });
  const compressed = Array.from({ length: count }, (_, i) => deflater.compress(messages[i % 8]!));
  deflater.dispose();
  const oneShot = await Promise.all(
    messages.map((m) => stream(m, new CompressionStream("deflate-raw"))),
  );

  let k = 0;
  const ours = new PerMessageDeflate(PARAMS, "server", { maxMessageSize: LIMIT });
  const wsServer = ws(true);
  Deno.bench(`ws deflate ${label}`, { group: `deflate ${label}`, baseline: true }, async () => {
    await wsCall(wsServer, "compress", messages[k++ & 7]!);
  });
  Deno.bench(`cosocket deflate ${label}`, { group: `deflate ${label}` }, () => {
    ours.compress(messages[k++ & 7]!);
  });
  Deno.bench(`CompressionStream one-shot ${label}`, { group: `deflate ${label}` }, async () => {
    await stream(messages[k++ & 7]!, new CompressionStream("deflate-raw"));
  });

  let wsAt = 0;
  let wsClient = ws(false);
  Deno.bench(`ws inflate ${label}`, { group: `inflate ${label}`, baseline: true }, async () => {
    if (wsAt === count) [wsAt, wsClient] = [0, ws(false)];
    await wsCall(wsClient, "decompress", compressed[wsAt++]!);
  });
  let ourAt = 0;
  let client = new PerMessageDeflate(PARAMS, "client", { maxMessageSize: LIMIT });
  Deno.bench(`cosocket inflate ${label}`, { group: `inflate ${label}` }, () => {
    if (ourAt === count) {
      client.dispose();
      [ourAt, client] = [0, new PerMessageDeflate(PARAMS, "client", { maxMessageSize: LIMIT })];
    }
    client.decompress(compressed[ourAt++]!, true);
  });
  Deno.bench(`DecompressionStream one-shot ${label}`, { group: `inflate ${label}` }, async () => {
    await stream(oneShot[k++ & 7]!, new DecompressionStream("deflate-raw"));
  });
}
