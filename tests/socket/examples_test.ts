import { equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { bind, connect, h2n, n2h, type Socket } from "@cosocket/socket";
import { startProxy } from "../../examples/socket_proxy.ts";
import { fetchTime, timeServer } from "../../examples/socket_time_client.ts";
import { echoServer } from "../../examples/socket_echo_server.ts";
import { assertNoSockets, pseudoRandomBytes } from "./_helpers.ts";

const SIZE = 64 << 20;

/**
 * The destination behind the proxy: reads an 8-byte length, that many
 * bytes, answers with their SHA-256, then sends the same number of
 * pseudo-random bytes of its own.
 */
function checksumServer(): Socket {
  return bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        const header = yield* sock.readExactly(8);
        if (header === null) return;
        let remaining = Number(n2h(8, header));
        const hash = createHash("sha256");
        while (remaining > 0) {
          const chunk = yield* sock.read();
          if (chunk === null) return;
          hash.update(chunk);
          remaining -= chunk.length;
        }
        yield* sock.write(hash.digest());
        const block = pseudoRandomBytes(1 << 20, 99);
        for (let sent = 0; sent < SIZE; sent += block.length) yield* sock.write(block);
      });
    }
  });
}

Deno.test("the proxy example carries 64 MiB each way intact (SHA-256 checked)", async () => {
  {
    await using destination = checksumServer();
    await using proxy = startProxy("127.0.0.1", destination.sockname().port);
    await using client = await connect("127.0.0.1", proxy.sockname().port);
    const upload = pseudoRandomBytes(1 << 20, 5);
    const expectedUpload = createHash("sha256");
    await client.write(h2n(8, BigInt(SIZE)));
    for (let sent = 0; sent < SIZE; sent += upload.length) {
      upload[0] = (sent >> 20) & 0xff;
      expectedUpload.update(upload);
      await client.write(upload);
    }
    const digest = (await client.readExactly(32))!;
    equal(Buffer.from(digest).toString("hex"), expectedUpload.digest("hex"));

    const download = createHash("sha256");
    const expectedDownload = createHash("sha256");
    const block = pseudoRandomBytes(1 << 20, 99);
    for (let i = 0; i < SIZE / block.length; i++) expectedDownload.update(block);
    let received = 0;
    while (received < SIZE) {
      const chunk = (await client.read())!;
      download.update(chunk);
      received += chunk.length;
    }
    equal(received, SIZE);
    equal(download.digest("hex"), expectedDownload.digest("hex"));
  }
  await assertNoSockets();
});

Deno.test("the proxy example serves several clients at once and closes both sides", async () => {
  {
    await using echo = echoServer();
    await using proxy = startProxy("127.0.0.1", echo.sockname().port);
    const port = proxy.sockname().port;
    await Promise.all(Array.from({ length: 20 }, async (_, index) => {
      await using client = await connect("127.0.0.1", port);
      await client.write(`client ${index}\n`);
      equal(await client.readLine(), `client ${index}`);
    }));
  }
  await assertNoSockets();
});

Deno.test("the proxy example drops the client when the destination refuses", async () => {
  {
    const closed = bind(0, { hostname: "127.0.0.1" });
    const port = closed.sockname().port;
    closed.close();
    await using proxy = startProxy("127.0.0.1", port);
    await using client = await connect("127.0.0.1", proxy.sockname().port);
    equal(await client.read(2000), null);
  }
  await assertNoSockets();
});

Deno.test("the time client example reads an RFC 868 time", async () => {
  {
    await using server = timeServer();
    const date = await fetchTime("127.0.0.1", server.sockname().port);
    ok(Math.abs(date.getTime() - Date.now()) < 5_000);
  }
  await assertNoSockets();
});
