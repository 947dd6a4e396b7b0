/**
 * The JavaScript cost of one message on the echo paths of `@cosocket/socket`
 * and `@cosocket/websocket`, beside a featureless loop doing the same work,
 * with no kernel in the way: each connection is a stand-in whose reads
 * resolve at once with the next message and whose writes resolve at once.
 *
 * Loopback figures (`socket_ab.ts`, `websocket_bench.ts`) are mostly the
 * kernel's and Deno's op costs, and this machine's speed moves by a third
 * within minutes; what our code adds per message is a few percent of that,
 * below their noise. Here it is most of what is measured, so a change to the
 * read or write path shows in one run (interleaved rounds, medians). The
 * stand-in is a measuring instrument, not a peer: the tests and the loopback
 * benches use real sockets.
 *
 * The featureless loops are the least such code can do: the socket loop is
 * an `await conn.read(buffer)` / `await conn.write()` loop (what
 * `servers/plain_echo.ts` does); the WebSocket loop parses, unmasks, checks
 * text with a fatal decoder and frames the echo, without fragmentation,
 * control frames, limits or ownership of messages.
 *
 * Run: `deno run --allow-read bench/path_cost.ts [rounds]`
 *
 * @module
 */
import { internals, type Socket } from "../socket/socket.ts";
import { upgrade } from "../websocket/mod.ts";
import { echoLoop } from "./_ws_floor_frames.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);

/** A connection whose reads deliver `message` `count` times, then end. */
class StandInConn {
  sent = 0;
  #prelude: Uint8Array | null;
  #message: Uint8Array;
  #left: number;
  #offset = 0;

  constructor(message: Uint8Array, count: number, prelude: Uint8Array | null = null) {
    this.#message = message;
    this.#left = count;
    this.#prelude = prelude;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    const prelude = this.#prelude;
    if (prelude !== null) {
      this.#prelude = null;
      buffer.set(prelude);
      return Promise.resolve(prelude.length);
    }
    const message = this.#message;
    if (this.#offset === 0) {
      if (this.#left === 0) return Promise.resolve(null);
      this.#left--;
    }
    const count = Math.min(buffer.length, message.length - this.#offset);
    if (count === message.length) buffer.set(message);
    else buffer.set(message.subarray(this.#offset, this.#offset + count));
    this.#offset = (this.#offset + count) % message.length;
    return Promise.resolve(count);
  }

  write(data: Uint8Array): Promise<number> {
    this.sent += data.length;
    return Promise.resolve(data.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {}
}

// ------------------------------------------------------------- the socket

async function plainEcho(conn: StandInConn): Promise<void> {
  const buffer = new Uint8Array(16384);
  let count;
  while ((count = await conn.read(buffer)) !== null) {
    let offset = 0;
    while (offset < count) offset += await conn.write(buffer.subarray(offset, count));
  }
}

function* readEcho(sock: Socket) {
  let chunk;
  while ((chunk = yield* sock.read()) !== null) yield* sock.write(chunk);
}

function* readIntoEcho(sock: Socket) {
  const buffer = new Uint8Array(16384);
  let count;
  while ((count = yield* sock.readInto(buffer)) !== null) {
    yield* sock.write(buffer.subarray(0, count));
  }
}

// ---------------------------------------------------------- the WebSocket

const HANDSHAKE = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
);

/** One masked client frame of `size` bytes of "a". */
function maskedFrame(size: number, text: boolean): Uint8Array {
  const header = size < 126 ? 2 : 4;
  const frame = new Uint8Array(header + 4 + size);
  frame[0] = 0x80 | (text ? 1 : 2);
  if (size < 126) frame[1] = 0x80 | size;
  else {
    frame[1] = 0x80 | 126;
    frame[2] = size >> 8;
    frame[3] = size & 0xff;
  }
  const key = [0x12, 0x34, 0x56, 0x78];
  frame.set(key, header);
  for (let i = 0; i < size; i++) frame[header + 4 + i] = 0x61 ^ key[i & 3]!;
  return frame;
}

/** The featureless WebSocket echo (after the handshake, which it skips). */
async function plainWsEcho(conn: StandInConn): Promise<void> {
  const input = new Uint8Array(65536);
  await conn.read(input); // the handshake, not answered
  await echoLoop(conn, input, 0);
}

function wsEcho(reuseReadBuffer: boolean) {
  return function* (sock: Socket) {
    const ws = yield* upgrade(sock, { reuseReadBuffer });
    let message;
    while ((message = yield* ws.readMessage()) !== null) {
      yield* ws.write(message, typeof message === "string");
    }
  };
}

// ---------------------------------------------------------------- running

type Run = (messages: number) => Promise<number>;

/** A run of `serve` on a stand-in; nanoseconds per message, after checking every echo. */
function run(
  serve: (conn: StandInConn) => PromiseLike<unknown>,
  message: Uint8Array,
  prelude: Uint8Array | null,
  echoed: number,
): Run {
  return async (messages) => {
    const conn = new StandInConn(message, messages, prelude);
    const start = performance.now();
    await serve(conn);
    const elapsed = performance.now() - start;
    if (conn.sent < messages * echoed) throw new Error(`Echoed ${conn.sent} bytes only`);
    return elapsed * 1e6 / messages;
  };
}

/** `echo` as the cosocket of a socket on the stand-in. */
function cosocket(echo: (sock: Socket) => Generator<unknown, void, unknown>) {
  return (conn: StandInConn) => {
    const sock = internals.create();
    internals.attachStream(sock, { conn });
    // deno-lint-ignore no-explicit-any
    return sock.event(echo as any).task!;
  };
}

interface Shape {
  name: string;
  messages: number;
  runs: [string, Run][];
}

const bytes64 = new Uint8Array(64).fill(7);
const shapes: Shape[] = [
  {
    name: "socket echo, 64 B",
    messages: 200_000,
    runs: [
      ["plain loop", run(plainEcho, bytes64, null, 64)],
      ["read()", run(cosocket(readEcho), bytes64, null, 64)],
      ["readInto()", run(cosocket(readIntoEcho), bytes64, null, 64)],
    ],
  },
];
for (
  const [size, text, messages] of [[20, false, 200_000], [20, true, 200_000], [
    1024,
    false,
    100_000,
  ], [16384, false, 20_000]] as const
) {
  const frame = maskedFrame(size, text);
  const echoed = size + (size < 126 ? 2 : 4);
  shapes.push({
    name: `WebSocket echo, ${size} B ${text ? "text" : "binary"}`,
    messages,
    runs: [
      ["featureless loop", run(plainWsEcho, frame, HANDSHAKE, echoed)],
      ["readMessage()", run(cosocket(wsEcho(false)), frame, HANDSHAKE, echoed)],
      ["reuseReadBuffer", run(cosocket(wsEcho(true)), frame, HANDSHAKE, echoed)],
    ],
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

console.log(`JavaScript per message, stand-in connections, ${ROUNDS} interleaved rounds, medians:`);
for (const shape of shapes) {
  for (const [, run] of shape.runs) await run(shape.messages); // warm up
  const times: number[][] = shape.runs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, [, run]] of shape.runs.entries()) {
      times[index]!.push(await run(shape.messages));
    }
  }
  const base = median(times[0]!);
  console.log(`  ${shape.name}`);
  for (const [index, [name]] of shape.runs.entries()) {
    const ns = median(times[index]!);
    const ratio = index === 0 ? "" : `  ${(ns / base).toFixed(2)}× the ${shape.runs[0]![0]}`;
    console.log(`    ${name.padEnd(18)} ${ns.toFixed(0).padStart(6)} ns${ratio}`);
  }
}
