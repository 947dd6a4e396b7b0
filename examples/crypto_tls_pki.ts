// Build a private PKI with @cosocket/crypto (CA + server certificate for localhost and
// 127.0.0.1), serve TLS with Deno.listenTls, and connect with Deno.connectTls: trusted
// with our CA store, refused without it.
// Run: deno run --allow-net=127.0.0.1,localhost examples/crypto_tls_pki.ts
import {
  CertStore,
  createCertificate,
  createCsr,
  createKey,
  createSharkCert,
  parseCert,
} from "@cosocket/crypto";

const caKey = await createKey();
const caCert = await createCertificate(
  await createCsr(caKey, { commonName: "Example Private CA", organizationName: "cosocket" }, {
    certTypes: ["SSL_CA"],
    keyUsage: ["KEY_CERT_SIGN", "CRL_SIGN"],
  }),
  caKey,
  { serial: 1, validTo: new Date(Date.now() + 10 * 365 * 86400_000) },
);
const serverKey = await createKey();
const serverCert = await createCertificate(
  await createCsr(serverKey, { commonName: "localhost" }, {
    san: "localhost;127.0.0.1",
    certTypes: ["SSL_SERVER"],
    keyUsage: ["DIGITAL_SIGNATURE"],
  }),
  caKey,
  { caCert, serial: 2 },
);
const info = parseCert(serverCert);
console.log(`issued ${info.subject.commonName} by ${info.issuer.commonName}`);
console.log(`  SAN ${info.subjectAltNames.join(", ")}; valid until ${info.validTo.toISOString()}`);
console.log(`  sha256 fingerprint ${info.fingerprints.sha256}`);

const store = new CertStore();
store.addCert(caCert);
const tls = await createSharkCert(serverCert + caCert, serverKey);
using listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls });
const { port } = listener.addr;

async function serveOnce(): Promise<void> {
  const conn = await listener.accept();
  try {
    await conn.handshake();
    await conn.write(new TextEncoder().encode("hello from a certificate we issued"));
  } catch {
    // the client refused our certificate
  } finally {
    conn.close();
  }
}

for (
  const [label, options] of [["with our CA", store.tlsOptions()], [
    "with Deno's default roots",
    {},
  ]] as const
) {
  const served = serveOnce();
  const conn = await Deno.connectTls({ hostname: "localhost", port, ...options });
  try {
    await conn.handshake();
    const buf = new Uint8Array(100);
    const n = await conn.read(buf);
    console.log(
      `${label}: trusted, server says "${new TextDecoder().decode(buf.subarray(0, n ?? 0))}"`,
    );
  } catch (error) {
    console.log(`${label}: refused (${(error as Error).message.split("\n")[0]})`);
  } finally {
    conn.close();
  }
  await served;
}
