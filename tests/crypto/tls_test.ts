// Real TLS on loopback: Deno's rustls-based TLS trusts our generated CA and leaf.
// Needs --allow-net=127.0.0.1,localhost.
import assert from "node:assert/strict";
import { CertStore, createSharkCert, parseCert } from "@cosocket/crypto";
import { openssl } from "./_helpers.ts";
import { makePki } from "./_pki.ts";

async function serveOnce(listener: Deno.TlsListener): Promise<string> {
  const conn = await listener.accept();
  try {
    await conn.handshake();
    await conn.write(new TextEncoder().encode("hello over tls"));
    return "served";
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  } finally {
    conn.close();
  }
}

async function readAll(conn: Deno.TlsConn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buf).catch((e) => {
      // rustls reports a peer that closes without close_notify; the data already arrived
      if (e instanceof Deno.errors.UnexpectedEof) return null;
      throw e;
    });
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

for (
  const [name, keyOptions] of [["EC", {}], ["RSA", { type: "rsa" }], ["Ed25519", {
    type: "ed25519",
  }]] as const
) {
  Deno.test(`createSharkCert() ${name}: Deno.connectTls trusts our CA and refuses without it`, async () => {
    const pki = await makePki(keyOptions);
    const tls = await createSharkCert(pki.leafCert + pki.caCert, pki.leafKey);
    const store = new CertStore();
    store.addCert(pki.caCert);
    using listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls });
    const { port } = listener.addr;

    for (const hostname of ["localhost", "127.0.0.1"]) {
      const served = serveOnce(listener);
      const conn = await Deno.connectTls({ hostname, port, ...store.tlsOptions() });
      try {
        assert.equal(await readAll(conn), "hello over tls");
      } finally {
        conn.close();
      }
      assert.equal(await served, "served");
    }

    // without our CA (Deno's default roots) and with an unrelated CA: refused
    const other = await makePki();
    for (const options of [{}, { caCerts: [other.caCert] }]) {
      const served = serveOnce(listener);
      const conn = await Deno.connectTls({ hostname: "localhost", port, ...options });
      try {
        await assert.rejects(conn.handshake(), /certificate|UnknownIssuer|invalid peer/i);
      } finally {
        conn.close();
      }
      assert.match(await served, /^refused/);
    }
  });
}

Deno.test("createSharkCert() accepts openssl's traditional and encrypted keys and rejects a mismatched key", async () => {
  const pki = await makePki({ type: "rsa" });
  const traditional = await openssl(["rsa", "-traditional"], pki.leafKey);
  assert.match(traditional, /BEGIN RSA PRIVATE KEY/);
  const a = await createSharkCert(pki.leafCert, traditional);
  const encrypted = await openssl(["pkey", "-aes-256-cbc", "-passout", "pass:secret"], pki.leafKey);
  const b = await createSharkCert(pki.leafCert, encrypted, { password: "secret" });
  assert.equal(a.key, b.key);
  assert.equal(parseCert(a.cert).subject.commonName, "localhost");
  await assert.rejects(createSharkCert(pki.leafCert, pki.caKey), TypeError);
  await assert.rejects(
    createSharkCert(pki.leafCert, await openssl(["pkey", "-pubout"], pki.leafKey)),
    TypeError,
  );
  await assert.rejects(createSharkCert("nothing", pki.leafKey), SyntaxError);
});
