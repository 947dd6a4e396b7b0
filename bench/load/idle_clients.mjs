// Idle connection load for bench/socket_scale.ts, in its own Node process so
// the client side's sockets and memory never count against the server.
//
//   node idle_clients.mjs <port> <count> <address>[,<address>...]
//
// Opens <count> connections to 127.0.0.1:<port>, spread round-robin over the
// given local (source) addresses; each sends one 16-byte message, waits for
// its echo, then stays open and idle. Prints one JSON line,
// `{"ready":<count>,"skipped":<busy source ports passed over>}`, once all are
// echoed, then holds them until stdin closes (or the parent dies, which
// closes it too) and exits after resetting every connection. Any failure prints to stderr and exits with status 1.
import net from "node:net";

const MESSAGE_SIZE = 16;
// Connections in their handshake or first echo at once: enough to be quick,
// few enough never to overflow the server's accept backlog (a SYN dropped on
// overflow costs a one-second retransmit and skews nothing but the clock).
const IN_FLIGHT = 256;
// Source ports are chosen here rather than by the kernel: binding a source
// address with port 0 makes Linux scan for a free port on every bind, which
// took 13 s of system time for 10,000 connections (1.8 s without the bind).
// The range sits below the ephemeral range (32768+) so it never competes with
// ports the kernel hands out, and holds 20,000 ports per source address.
const FIRST_PORT = 10_000;
const LAST_PORT = 29_999;
// A port some other program holds is skipped; this many skips in one run
// means something is wrong with the range, not that a port is busy.
const MAX_SKIPS = 1_000;
const SKIPPABLE = new Set(["EADDRINUSE", "EADDRNOTAVAIL"]);

const [portText, countText, addressText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const addresses = (addressText ?? "127.0.0.1").split(",");
if (!Number.isInteger(port) || !Number.isInteger(count) || count < 0) {
  fail(new Error("Usage: node idle_clients.mjs <port> <count> <address>[,<address>...]"));
}

/** Connections that have been echoed and are now held idle. */
/** @type {net.Socket[]} */
const sockets = [];
const nextPort = new Map(addresses.map((address) => [address, FIRST_PORT]));
let skips = 0;

function fail(error) {
  process.stderr.write(`idle_clients: ${error.message}\n`);
  process.exit(1);
}

function takePort(address) {
  const localPort = nextPort.get(address);
  if (localPort > LAST_PORT) {
    throw new Error(`Cannot connect from ${address}: ports ${FIRST_PORT}-${LAST_PORT} used up`);
  }
  nextPort.set(address, localPort + 1);
  return localPort;
}

/**
 * Connects, sends one message and resolves with the socket once the same
 * bytes come back; from then on any event on the socket fails the run.
 */
function connectAndEcho(index, localAddress, localPort) {
  return new Promise((resolve, reject) => {
    const message = Buffer.alloc(MESSAGE_SIZE);
    message.writeUInt32BE(index);
    const socket = net.connect({ host: "127.0.0.1", port, localAddress, localPort, noDelay: true });
    let echoed = Buffer.alloc(0);
    const onConnect = () => socket.write(message);
    const onEnd = () => onError(new Error(`Cannot hold connection ${index}: server closed it`));
    const onError = (error) => {
      detach();
      socket.destroy();
      reject(error);
    };
    const onData = (chunk) => {
      echoed = Buffer.concat([echoed, chunk]);
      if (echoed.length < MESSAGE_SIZE) return;
      if (!echoed.equals(message)) {
        onError(new Error(`Cannot verify echo on connection ${index}: bytes differ`));
        return;
      }
      detach();
      socket.on("error", fail);
      socket.on("end", () => fail(new Error(`Cannot hold connection ${index}: server closed it`)));
      resolve(socket);
    };
    const detach = () => {
      socket.off("connect", onConnect).off("data", onData).off("end", onEnd).off("error", onError);
    };
    socket.on("connect", onConnect).on("data", onData).on("end", onEnd).on("error", onError);
  });
}

async function open(index) {
  const localAddress = addresses[index % addresses.length];
  for (;;) {
    try {
      sockets.push(await connectAndEcho(index, localAddress, takePort(localAddress)));
      return;
    } catch (error) {
      if (!SKIPPABLE.has(error.code) || ++skips > MAX_SKIPS) throw error;
    }
  }
}

let next = 0;
async function worker() {
  while (next < count) await open(next++);
}

process.stdin.on("end", () => {
  // RST instead of FIN: a FIN would leave one TIME_WAIT entry per connection
  // holding its source port for a minute on a shared machine; a reset
  // leaves none.
  for (const socket of sockets) socket.resetAndDestroy();
  process.exit(0);
});
process.stdin.resume();

try {
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  process.stdout.write(`${JSON.stringify({ ready: sockets.length, skipped: skips })}\n`);
} catch (error) {
  fail(error);
}
