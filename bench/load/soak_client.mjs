// Soak load for bench/soak.ts and tests/socket/soak_test.ts, in its own Node
// process so the client side's sockets and memory never count against the
// server.
//
//   node soak_client.mjs <port> <connections> <seconds> [maxChunk]
//
// Opens <connections> connections to 127.0.0.1:<port> (at most IN_FLIGHT
// handshakes at once), prints `{"established":N}` once all are open, then on
// every connection sends chunks of random size (1..maxChunk bytes, default
// 16 KiB, random content), one at a time, and checks that every byte comes
// back in order, until <seconds> have passed. Then it prints one JSON line
// with the totals and closes every connection:
// `{"messages":N,"bytes":N,"mismatches":N,"errors":N,"seconds":S}`.
// A mismatch or an error is data lost: the parent reports it.
import net from "node:net";
import { randomFillSync } from "node:crypto";

const [port, connections, seconds, maxChunkArg] = process.argv.slice(2).map(Number);
const maxChunk = maxChunkArg || 16384;
const IN_FLIGHT = 256;

// One pool of random bytes; each message is a window of it at a random offset.
const pool = randomFillSync(Buffer.alloc(1 << 20));
const sockets = [];
let messages = 0;
let bytes = 0;
let mismatches = 0;
let errors = 0;
let running = false;

function randomInt(n) {
  return Math.floor(Math.random() * n);
}

function connectOne() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

function drive(socket) {
  let expected = null;
  let received = 0;
  const send = () => {
    if (!running) return;
    const size = 1 + randomInt(maxChunk);
    const offset = randomInt(pool.length - size);
    expected = pool.subarray(offset, offset + size);
    received = 0;
    socket.write(expected);
  };
  socket.removeAllListeners("error");
  socket.on("error", () => {
    if (running) errors++;
  });
  socket.on("data", (data) => {
    if (expected === null || received + data.length > expected.length) {
      mismatches++;
      return;
    }
    if (!data.equals(expected.subarray(received, received + data.length))) mismatches++;
    received += data.length;
    if (received === expected.length) {
      messages++;
      bytes += expected.length;
      expected = null;
      send();
    }
  });
  return send;
}

const started = [];
for (let i = 0; i < connections; i += IN_FLIGHT) {
  const batch = [];
  for (let j = i; j < Math.min(connections, i + IN_FLIGHT); j++) batch.push(connectOne());
  sockets.push(...await Promise.all(batch));
}
console.log(JSON.stringify({ established: sockets.length }));
// The parent samples the server's memory right after establishment.
await new Promise((resolve) => process.stdin.once("data", resolve));
running = true;
const t0 = performance.now();
for (const socket of sockets) started.push(drive(socket));
for (const send of started) send();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
running = false;
// Let the messages in flight come back before counting.
await new Promise((resolve) => setTimeout(resolve, 500));
const elapsed = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ messages, bytes, mismatches, errors, seconds: elapsed }));
for (const socket of sockets) socket.destroy();
process.exit(0);
