/**
 * Seed Example 12: flow control. Cosocket B connects to a device and prints
 * what the device reports; cosocket A, unconnected, streams a large
 * "firmware" file into B's socket. A's writes suspend whenever the device
 * falls behind, so memory stays flat however large the file is, while B
 * keeps reading on the same thread.
 *
 * Run: `deno run --allow-net=127.0.0.1 --allow-read --allow-write=/tmp examples/socket_flow_control.ts`
 */
import { bind, connect, event, sleep, type Socket } from "@cosocket/socket";

/** A slow device: reports progress every 4 MiB and a summary at the end. */
export function deviceServer(expected: number): Socket {
  return bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    const sock = yield* listener.accept();
    if (sock === null) return;
    let received = 0;
    let reported = 0;
    while (received < expected) {
      const data = yield* sock.read();
      if (data === null) break;
      received += data.length;
      if (received - reported >= 4 << 20) {
        reported = received;
        yield* sock.write(`device: ${received >> 20} MiB received\n`);
        yield* sleep(5); // The device is slow to flash.
      }
    }
    yield* sock.write(`device: done, ${received} bytes\n`);
    sock.close();
  });
}

function* sockCoroutineA(_sockA: Socket, sockB: Socket, path: string) {
  using file = Deno.openSync(path);
  const buffer = new Uint8Array(256 << 10);
  let count;
  while ((count = file.readSync(buffer)) !== null) {
    // Suspends while the device's socket cannot take more data.
    yield* sockB.write(buffer.subarray(0, count));
  }
}

function* sockCoroutineB(sockB: Socket, port: number, path: string) {
  yield* connect("127.0.0.1", port);
  event(sockCoroutineA, sockB, path);
  const lines: string[] = [];
  let line;
  while ((line = yield* sockB.readLine()) !== null) {
    console.log(line);
    lines.push(line);
  }
  return lines;
}

if (import.meta.main) {
  const size = 32 << 20;
  const path = await Deno.makeTempFile({ prefix: "firmware-" });
  await Deno.writeFile(path, new Uint8Array(size).fill(0x5a));
  await using device = deviceServer(size);
  const rssBefore = Deno.memoryUsage().rss;
  const b = event(sockCoroutineB, device.sockname().port, path);
  await b.task;
  const growth = (Deno.memoryUsage().rss - rssBefore) / 2 ** 20;
  console.log(`sent ${size >> 20} MiB; resident memory grew by ${growth.toFixed(1)} MiB`);
  await Deno.remove(path);
}
