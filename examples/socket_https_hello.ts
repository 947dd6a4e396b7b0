/**
 * Seed Example 3: a basic HTTPS "Hello World" server on a TLS listener. An
 * accept cosocket hands each connection to a handler that reads the request
 * and answers with a fixed HTTP/1.0 response. The certificate is the test
 * CA's localhost leaf from tests/testdata/tls (made by make_certs.sh).
 *
 * Run: `deno run --allow-net=127.0.0.1,localhost --allow-read examples/socket_https_hello.ts`
 */
import { bind, connect, type Socket, type TlsServerOptions } from "@cosocket/socket";

const certs = new URL("../tests/testdata/tls/", import.meta.url);

/** The test certificate and key. */
export function testCertificate(): TlsServerOptions & { ca: string } {
  return {
    cert: Deno.readTextFileSync(new URL("server.pem", certs)),
    key: Deno.readTextFileSync(new URL("server.key", certs)),
    ca: Deno.readTextFileSync(new URL("ca.pem", certs)),
  };
}

function* webServer(sock: Socket) {
  yield* sock.readUntil("\r\n\r\n", { timeout: 2000 }); // Ignore the request.
  const message = "Hello World!";
  yield* sock.write(
    `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${message.length}\r\n\r\n${message}`,
  );
}

/** Starts the HTTPS server on a free loopback port. */
export function httpsServer(tls: TlsServerOptions): Socket {
  return bind(0, { hostname: "127.0.0.1", tls }).event(function* (listener: Socket) {
    let client;
    while ((client = yield* listener.accept()) !== null) client.event(webServer);
  });
}

if (import.meta.main) {
  const { ca, ...tls } = testCertificate();
  await using server = httpsServer(tls);
  const port = server.sockname().port;
  console.log(`https://localhost:${port}/`);
  await using client = await connect("localhost", port, { tls: { caCerts: [ca] } });
  await client.write(`GET / HTTP/1.0\r\nHost: localhost:${port}\r\n\r\n`);
  const head = new TextDecoder().decode((await client.readUntil("\r\n\r\n"))!);
  const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
  const body = new TextDecoder().decode((await client.readExactly(length))!);
  console.log(head);
  console.log(body);
  console.log("trusted:", client.trusted());
}
