import assert from "node:assert/strict";
import {
  CertStore,
  createCertStore,
  parseCert,
  sharkClient,
  SYSTEM_CA_BUNDLES,
} from "@cosocket/crypto";
import { openssl, run, tempDir } from "./_helpers.ts";
import { makePki } from "./_pki.ts";

Deno.test("CertStore.addCert() loads PEM bundles, DER certificates and openssl p7b (PEM and DER)", async () => {
  await using dir = await tempDir();
  const a = await makePki();
  const b = await makePki({ type: "rsa" });
  const bundle = `Some text\n${a.caCert}${b.caCert}${a.leafCert}`;
  await Deno.writeTextFile(`${dir.path}/bundle.pem`, bundle);
  const p7bPem = await openssl(["crl2pkcs7", "-nocrl", "-certfile", `${dir.path}/bundle.pem`]);
  assert.match(p7bPem, /BEGIN PKCS7/);
  const p7bDer = await run("openssl", [
    "crl2pkcs7",
    "-nocrl",
    "-certfile",
    `${dir.path}/bundle.pem`,
    "-outform",
    "DER",
  ]);
  await Deno.writeFile(`${dir.path}/bundle.p7b`, p7bDer);

  const store = createCertStore();
  assert.equal(store.addCert(bundle), 3);
  assert.equal(store.addCert(bundle), 0); // duplicates are stored once
  const fromP7b = new CertStore();
  assert.equal(fromP7b.addCert(p7bPem), 3);
  const fromDer = new CertStore();
  assert.equal(await fromDer.addFile(`${dir.path}/bundle.p7b`), 3);
  const sorted = (s: CertStore) => s.caCerts.map((c) => parseCert(c).fingerprints.sha256).sort();
  assert.deepEqual(sorted(fromP7b), sorted(store));
  assert.deepEqual(sorted(fromDer), sorted(store));
  const single = new CertStore();
  assert.equal(single.addCert(parseCert(a.caCert).der), 1);
  assert.equal(single.caCerts[0], a.caCert.trim() + "\n");
  assert.deepEqual(single.tlsOptions({ serverName: "localhost", alpnProtocols: ["h2"] }), {
    caCerts: [single.caCerts[0]],
    serverName: "localhost",
    alpnProtocols: ["h2"],
  });
});

Deno.test("CertStore.addCert() rejects input without certificates", async () => {
  const store = new CertStore();
  assert.throws(
    () => store.addCert("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
    SyntaxError,
  );
  assert.throws(
    () => store.addCert("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"),
    SyntaxError,
  );
  assert.throws(() => store.addCert(new Uint8Array([1, 2, 3])), SyntaxError);
  // @ts-expect-error wrong type on purpose
  assert.throws(() => store.addCert(42), TypeError);
  await assert.rejects(
    store.addFile("/tmp/cosocket-crypto-does-not-exist.pem"),
    Deno.errors.NotFound,
  );
  assert.equal(store.size, 0);
});

Deno.test('CertStore.system() and sharkClient({ store: "system" }) load the system CA bundle', async () => {
  const path = SYSTEM_CA_BUNDLES.find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(path, "a system CA bundle is installed (Debian: ca-certificates)");
  const store = await CertStore.system();
  const expected = (await Deno.readTextFile(path)).match(/-----BEGIN CERTIFICATE-----/g)!.length;
  assert.ok(store.size > 50);
  assert.ok(store.size <= expected);
  const options = await sharkClient({ store: "system", serverName: "example.com" });
  assert.equal(options.caCerts!.length, store.size);
  assert.equal(options.serverName, "example.com");
  assert.deepEqual(await sharkClient(), {});
  // @ts-expect-error unknown store on purpose
  await assert.rejects(sharkClient({ store: "windows" }), TypeError);
});

Deno.test("CertStore.addFile() reads through an Io: a jailed diskIo, a memoryIo; a missing name and an oversized file are errors", async () => {
  const { diskIo, IoError, memoryIo } = await import("@cosocket/io");
  await using dir = await tempDir();
  const a = await makePki();
  const b = await makePki({ type: "rsa" });
  await Deno.writeTextFile(`${dir.path}/bundle.pem`, a.caCert + b.caCert);
  const disk = diskIo(dir.path);
  const store = new CertStore();
  assert.equal(await store.addFile({ io: disk, name: "bundle.pem" }), 2);
  await assert.rejects(store.addFile({ io: disk, name: "../outside.pem" }), IoError);
  const memory = memoryIo();
  const der = await memory.open("ca.der", "w");
  await der.write(parseCert(a.caCert).der);
  await der.close();
  const fromMemory = new CertStore();
  assert.equal(await fromMemory.addFile({ io: memory, name: "ca.der" }), 1);
  await assert.rejects(fromMemory.addFile({ io: memory, name: "missing.pem" }), IoError);
  const big = await memory.open("big.pem", "w");
  for (let i = 0; i < 17; i++) await big.write(new Uint8Array(1024 * 1024).fill(65));
  await big.close();
  await assert.rejects(fromMemory.addFile({ io: memory, name: "big.pem" }), RangeError);
  assert.equal(fromMemory.size, 1);
});
