import { equal, rejects, throws } from "node:assert/strict";
import { event, mkfifo, openFifo, type Socket, SocketError } from "@cosocket/socket";
import { assertNoSockets, text } from "./_helpers.ts";

async function tempFifo(): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "cosocket-fifo-" });
  await Deno.remove(path);
  mkfifo(path);
  return path;
}

Deno.test("mkfifo() creates a named pipe and fails when the path exists", async () => {
  const path = await tempFifo();
  equal(Deno.statSync(path).isFifo, true);
  throws(() => mkfifo(path), SocketError);
  await Deno.remove(path);
});

Deno.test("openFifo() gives a cosocket a pipe to read until the last writer closes", async () => {
  const path = await tempFifo();
  const reader = event(function* (sock: Socket) {
    yield* openFifo(path);
    const lines: string[] = [];
    let line;
    while ((line = yield* sock.readLine()) !== null) lines.push(line);
    return lines;
  });
  const writer = await openFifo(path, { write: true });
  for (let i = 0; i < 100; i++) await writer.write(`line ${i}\n`);
  writer.close();
  const lines = (await reader.task) as string[];
  equal(lines.length, 100);
  equal(lines[99], "line 99");
  await Deno.remove(path);
  await assertNoSockets();
});

Deno.test("closing a pipe socket resumes a read waiting on it with null", async () => {
  const path = await tempFifo();
  const [reader, writer] = await Promise.all([openFifo(path), openFifo(path, { write: true })]);
  const waiting = Promise.resolve(reader.read());
  await new Promise((resolve) => setTimeout(resolve, 5));
  reader.close();
  equal(await waiting, null);
  await rejects(Promise.resolve(reader.read()), SocketError);
  writer.close();
  await reader[Symbol.asyncDispose]();
  await Deno.remove(path);
  await assertNoSockets();
});

Deno.test("openFifo() on a missing path fails with a SocketError", async () => {
  await rejects(Promise.resolve(openFifo("/tmp/cosocket-no-such-fifo-here")), SocketError);
  await assertNoSockets();
});

Deno.test("a pipe moves 4 MiB intact", async () => {
  const path = await tempFifo();
  const [reader, writer] = await Promise.all([openFifo(path), openFifo(path, { write: true })]);
  const total = 4 << 20;
  const writing = (async () => {
    const chunk = new Uint8Array(64 << 10);
    for (let sent = 0; sent < total; sent += chunk.length) {
      chunk.fill((sent >> 16) & 0xff);
      await writer.write(chunk);
    }
    writer.close();
  })();
  let received = 0;
  let ok = true;
  let chunk;
  while ((chunk = await reader.read()) !== null) {
    for (let i = 0; i < chunk.length; i += 4096) {
      if (chunk[i] !== (((received + i) >> 16) & 0xff)) ok = false;
    }
    received += chunk.length;
  }
  await writing;
  equal(received, total);
  equal(ok, true);
  equal(text(new Uint8Array()), "");
  reader.close();
  await Deno.remove(path);
  await assertNoSockets();
});
