// HTTPS on the server: curl and Deno's TLS client against our listener, and a new
// certificate on a running listener (open connections keep theirs).
import { deepStrictEqual, equal, match, rejects } from "node:assert/strict";
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { certs } from "../socket/_helpers.ts";
import { assertClean } from "./_helpers.ts";
import { readAll, runProgram, statuses } from "./_server_helpers.ts";

const CA = new URL("../testdata/tls/ca.pem", import.meta.url).pathname;

/** A fresh self-signed certificate for localhost, made by openssl. */
async function selfSigned(): Promise<{ cert: string; key: string }> {
  const dir = await Deno.makeTempDir();
  try {
    await runProgram("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
    ]);
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function tlsRequest(port: number, caCerts: string[], path: string): Promise<string> {
  const conn = await Deno.connectTls({ hostname: "localhost", port, caCerts });
  try {
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      ),
    );
    return (await readAll(conn, 2000)).text;
  } finally {
    try {
      conn.close();
    } catch {
      // readAll closed it.
    }
  }
}

Deno.test("server (TLS): curl over HTTPS, then a new certificate for new connections only", async () => {
  const next = await selfSigned();
  {
    await using server = servcon(0, function* (request: ServerRequest, response: ServerResponse) {
      yield* response.send(`${request.secure} ${request.url.protocol} ${request.pathname}`);
    }, { hostname: "127.0.0.1", tls: { cert: certs.cert, key: certs.key } });
    const port = server.port;
    const viaCurl = await runProgram("curl", [
      "-s",
      "--cacert",
      CA,
      "--resolve",
      `localhost:${port}:127.0.0.1`,
      `https://localhost:${port}/curl`,
    ]);
    equal(viaCurl, "true https: /curl");
    // A keep-alive connection opened with the first certificate.
    const kept = await Deno.connectTls({ hostname: "localhost", port, caCerts: [certs.ca] });
    await kept.write(new TextEncoder().encode("GET /1 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    await kept.read(new Uint8Array(4096));

    await server.setCertificate(next);
    equal(server.port, port);
    match(await tlsRequest(port, [next.cert], "/new"), /true https: \/new$/);
    await rejects(tlsRequest(port, [certs.ca], "/old-ca"));
    // The connection from before still works, with its certificate.
    await kept.write(
      new TextEncoder().encode("GET /2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    const rest = await readAll(kept, 2000);
    deepStrictEqual(statuses(rest.text), [200]);
    match(rest.text, /true https: \/2$/);
    kept.close();
  }
  await assertClean();
});

Deno.test("server (TLS): a bad certificate is refused and the old one stays", async () => {
  {
    await using server = servcon(0, function* (_request: ServerRequest, response: ServerResponse) {
      yield* response.send("ok");
    }, { hostname: "127.0.0.1", tls: { cert: certs.cert, key: certs.key } });
    await rejects(server.setCertificate({ cert: "not a certificate", key: certs.key }));
    match(await tlsRequest(server.port, [certs.ca], "/"), /\r\n\r\nok$/);
  }
  await assertClean();
});
