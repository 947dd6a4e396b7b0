import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { type Socket, udpcon } from "@cosocket/socket";
import { assertNoSockets, isCode, text } from "./_helpers.ts";

Deno.test("udpcon() echoes datagrams through a cosocket server", async () => {
  {
    await using server = udpcon(undefined, undefined, { hostname: "127.0.0.1" }).event(
      function* (sock: Socket) {
        let datagram;
        while ((datagram = yield* sock.read(undefined, true)) !== null) {
          yield* sock.sendto(datagram.data, datagram.address, datagram.port);
        }
      },
    );
    await using client = udpcon("127.0.0.1", server.sockname().port, { hostname: "127.0.0.1" });
    for (const message of ["one", "two", "three"]) {
      await client.write(message);
      equal(text(await client.read(2000)), message);
    }
  }
  await assertNoSockets();
});

Deno.test("read(timeout, true) returns the sender; a connected UDP socket hears only its peer", async () => {
  {
    await using a = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
    await using b = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
    await using connected = udpcon("127.0.0.1", a.sockname().port, { hostname: "127.0.0.1" });
    await b.sendto("stranger", "127.0.0.1", connected.sockname().port);
    await a.sendto("peer", "127.0.0.1", connected.sockname().port);
    equal(text(await connected.read(2000)), "peer");
    await connected.write("reply");
    const datagram = (await a.read(2000, true))!;
    deepEqual(
      { data: text(datagram.data), address: datagram.address, port: datagram.port },
      { data: "reply", address: "127.0.0.1", port: connected.sockname().port },
    );
  }
  await assertNoSockets();
});

Deno.test("read() on UDP times out without closing the socket", async () => {
  {
    await using sock = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
    await rejects(Promise.resolve(sock.read(10)), isCode("timeout"));
    await sock.sendto("self", "127.0.0.1", sock.sockname().port);
    equal(text(await sock.read(2000)), "self");
  }
  await assertNoSockets();
});

Deno.test("a second UDP read while one waits is busy; the next one after it is served", async () => {
  {
    await using sock = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
    const first = Promise.resolve(sock.read(2000));
    await rejects(Promise.resolve(sock.read(2000)), isCode("busy"));
    await sock.sendto("one", "127.0.0.1", sock.sockname().port);
    equal(text(await first), "one");
    await sock.sendto("two", "127.0.0.1", sock.sockname().port);
    equal(text(await sock.read(2000)), "two");
  }
  await assertNoSockets();
});

Deno.test("write() on an unconnected UDP socket fails with incorrectuse; close ends reads", async () => {
  {
    const sock = udpcon(undefined, undefined, { hostname: "127.0.0.1" });
    await rejects(Promise.resolve(sock.write("x")), isCode("incorrectuse"));
    const waiting = Promise.resolve(sock.read());
    await new Promise((resolve) => setTimeout(resolve, 5));
    sock.close();
    equal(await waiting, null);
    await sock[Symbol.asyncDispose]();
  }
  await assertNoSockets();
});

Deno.test("udpcon() over IPv6", async () => {
  {
    await using a = udpcon(undefined, undefined, { hostname: "::1" });
    await using b = udpcon("::1", a.sockname().port, { ipv6: true, hostname: "::1" });
    await b.write("v6");
    const datagram = (await a.read(2000, true))!;
    equal(text(datagram.data), "v6");
    ok(datagram.address.includes(":"));
  }
  await assertNoSockets();
});
