import { equal, ok, rejects } from "node:assert/strict";
import { bind, connect, type Socket, SocketError } from "@cosocket/socket";
import { assertNoSockets, certs, delay, isCode, text } from "./_helpers.ts";

function tlsServer(alpnProtocols: string[] = []): Socket {
  return bind(0, {
    hostname: "127.0.0.1",
    tls: { cert: certs.cert, key: certs.key, alpnProtocols },
  }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) {
      client.event(function* (sock: Socket) {
        let data;
        try {
          while ((data = yield* sock.read()) !== null) yield* sock.write(data);
        } catch {
          // A client that failed the handshake: nothing to echo.
        }
      });
    }
  });
}

Deno.test("connect() with tls trusts a server signed by the given CA and echoes over TLS", async () => {
  {
    await using server = tlsServer();
    await using client = await connect("localhost", server.sockname().port, {
      tls: { caCerts: [certs.ca] },
    });
    ok(client.secure);
    ok(client.trusted());
    ok(client.trusted("LOCALHOST"));
    equal(client.trusted("example.com"), false);
    await client.write("over tls");
    equal(text(await client.readExactly(8)), "over tls");
  }
  await assertNoSockets();
});

Deno.test("connect() with tls checks the server name, and serverName overrides it", async () => {
  {
    await using server = tlsServer();
    const port = server.sockname().port;
    // 127.0.0.1 is in the certificate's SAN list.
    await using byIp = await connect("127.0.0.1", port, { tls: { caCerts: [certs.ca] } });
    ok(byIp.trusted());
    await using named = await connect("127.0.0.1", port, {
      tls: { caCerts: [certs.ca], serverName: "localhost" },
    });
    ok(named.trusted("localhost"));
    await rejects(
      Promise.resolve(connect("127.0.0.1", port, {
        tls: { caCerts: [certs.ca], serverName: "not-in-the-cert.test" },
      })),
      isCode("tls"),
    );
  }
  await assertNoSockets();
});

Deno.test("connect() with tls refuses a server whose CA is not trusted", async () => {
  {
    await using server = tlsServer();
    const port = server.sockname().port;
    await rejects(Promise.resolve(connect("localhost", port, { tls: true })), isCode("tls"));
    await rejects(
      Promise.resolve(connect("localhost", port, { tls: { caCerts: [certs.otherCa] } })),
      isCode("tls"),
    );
    await delay(10);
  }
  await assertNoSockets();
});

Deno.test("connect() with tls negotiates ALPN", async () => {
  {
    await using server = tlsServer(["h2", "http/1.1"]);
    await using client = await connect("localhost", server.sockname().port, {
      tls: { caCerts: [certs.ca], alpnProtocols: ["http/1.1"] },
    });
    equal(client.alpnProtocol, "http/1.1");
  }
  await assertNoSockets();
});

Deno.test("connect() with unsafelyDisableHostnameVerification connects but is not trusted()", async () => {
  {
    await using server = tlsServer();
    await using client = await connect("127.0.0.1", server.sockname().port, {
      tls: {
        caCerts: [certs.ca],
        serverName: "wrong.test",
        unsafelyDisableHostnameVerification: true,
      },
    });
    equal(client.trusted(), false);
  }
  await assertNoSockets();
});

Deno.test("trusted() is false for plain connections", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    await using peer = (await server.accept())!;
    equal(client.trusted(), false);
    equal(client.secure, false);
    equal(peer.trusted(), false);
  }
  await assertNoSockets();
});

/** A STARTTLS server in Python (a real peer): plain greeting, "STARTTLS", then TLS echo. */
async function startTlsPeer(): Promise<
  { port: number; done: Promise<string>; [Symbol.asyncDispose](): Promise<void> }
> {
  const script = `
import socket, ssl, sys
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(20)
conn.sendall(b"220 ready\\r\\n")
line = b""
while not line.endswith(b"\\n"):
    line += conn.recv(1)
if line.strip() != b"STARTTLS":
    conn.sendall(b"500 no\\r\\n"); conn.close(); sys.exit(0)
conn.sendall(b"220 go ahead\\r\\n")
tls = ctx.wrap_socket(conn, server_side=True)
data = tls.recv(100)
tls.sendall(b"secure:" + data)
print(tls.version(), flush=True)
tls.close()
`;
  const dir = new URL("../testdata/tls/", import.meta.url).pathname;
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", script, `${dir}server.pem`, `${dir}server.key`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      buffered += value;
    }
    const index = buffered.indexOf("\n");
    const line = index < 0 ? buffered : buffered.slice(0, index);
    buffered = index < 0 ? "" : buffered.slice(index + 1);
    return line;
  };
  const port = Number(await nextLine());
  const done = nextLine();
  return {
    port,
    done,
    async [Symbol.asyncDispose]() {
      await done.catch(() => {});
      await lines.cancel();
      await child.status;
    },
  };
}

Deno.test("upgrade() performs STARTTLS against a Python ssl server", async () => {
  {
    await using peer = await startTlsPeer();
    await using client = await connect("127.0.0.1", peer.port);
    equal(await client.readLine(), "220 ready");
    await client.write("STARTTLS\r\n");
    equal(await client.readLine(), "220 go ahead");
    equal(await client.upgrade({ caCerts: [certs.ca], serverName: "localhost" }), client);
    ok(client.secure);
    ok(client.trusted());
    await client.write("hello");
    equal(text(await client.readExactly(12)), "secure:hello");
    ok((await peer.done).startsWith("TLS"));
  }
  await assertNoSockets();
});

Deno.test("upgrade() is refused while unread bytes are buffered (STARTTLS injection defence)", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    await using peer = (await server.accept())!;
    // An attacker injects bytes right after the "go ahead" line.
    await peer.write("220 go ahead\r\nINJECTED");
    await delay(10);
    equal(await client.readLine(), "220 go ahead");
    await rejects(Promise.resolve(client.upgrade({ caCerts: [certs.ca] })), (error: unknown) => {
      return error instanceof SocketError && error.code === "incorrectuse" &&
        /unread bytes/.test(error.message);
    });
    equal(client.secure, false);
    equal(text(await client.readExactly(8)), "INJECTED");
  }
  await assertNoSockets();
});

Deno.test("upgrade() fails with tls and closes the socket when the handshake fails", async () => {
  {
    await using server = bind(0, { hostname: "127.0.0.1" });
    await using client = await connect("127.0.0.1", server.sockname().port);
    await using peer = (await server.accept())!;
    const upgrading = Promise.resolve(client.upgrade({ caCerts: [certs.ca], timeout: 2000 }));
    // Not a TLS server: it answers the ClientHello with plain text.
    await peer.read();
    await peer.write("this is not TLS\r\n");
    await rejects(upgrading, isCode("tls"));
    equal(client.state().connected, false);
  }
  await assertNoSockets();
});
