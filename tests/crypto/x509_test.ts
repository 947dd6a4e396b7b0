import assert from "node:assert/strict";
import {
  createCertificate,
  createCsr,
  createKey,
  parseCert,
  parseCertTime,
} from "@cosocket/crypto";
import { openssl, prng, tempDir } from "./_helpers.ts";
import { makePki } from "./_pki.ts";

for (
  const [name, keyOptions] of [["EC P-256", {}], ["EC P-384", { curve: "P-384" }], ["RSA 2048", {
    type: "rsa",
  }], ["Ed25519", { type: "ed25519" }]] as const
) {
  Deno.test(`createCsr() and createCertificate() ${name}: openssl verifies the CSR and the chain`, async () => {
    await using dir = await tempDir();
    const pki = await makePki(keyOptions);
    const leafCsr = await createCsr(pki.leafKey, { commonName: "localhost", countryName: "NO" }, {
      san: ["localhost", "::1"],
    });
    await Deno.writeTextFile(`${dir.path}/csr.pem`, leafCsr);
    await Deno.writeTextFile(`${dir.path}/ca.pem`, pki.caCert);
    await Deno.writeTextFile(`${dir.path}/leaf.pem`, pki.leafCert);
    await Deno.writeTextFile(`${dir.path}/key.pem`, pki.leafKey);
    const req = await openssl(["req", "-verify", "-in", `${dir.path}/csr.pem`, "-noout", "-text"]);
    assert.match(req, /Subject: C ?= ?NO, CN ?= ?localhost/);
    assert.match(req, /DNS:localhost, IP Address:0:0:0:0:0:0:0:1/);
    assert.equal(
      (await openssl(["verify", "-CAfile", `${dir.path}/ca.pem`, `${dir.path}/leaf.pem`])).trim(),
      `${dir.path}/leaf.pem: OK`,
    );
    // openssl parses our private key and agrees it matches the certificate
    await openssl(["pkey", "-in", `${dir.path}/key.pem`, "-noout"]);
    const fromKey = await openssl(["pkey", "-in", `${dir.path}/key.pem`, "-pubout"]);
    const fromCert = await openssl(["x509", "-in", `${dir.path}/leaf.pem`, "-noout", "-pubkey"]);
    assert.equal(fromKey, fromCert);
    const text = await openssl(["x509", "-in", `${dir.path}/leaf.pem`, "-noout", "-text"]);
    assert.match(text, /Version: 3/);
    assert.match(text, /DNS:localhost, IP Address:127.0.0.1/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /Digital Signature, Key Encipherment/);
    const caText = await openssl(["x509", "-in", `${dir.path}/ca.pem`, "-noout", "-text"]);
    assert.match(caText, /CA:TRUE/);
    assert.match(caText, /Certificate Sign, CRL Sign/);
    // a leaf is not a CA: openssl refuses to chain through it
    await Deno.writeTextFile(
      `${dir.path}/other.pem`,
      await createCertificate(leafCsr, pki.leafKey, { caCert: pki.leafCert }),
    );
    await assert.rejects(
      openssl([
        "verify",
        "-CAfile",
        `${dir.path}/ca.pem`,
        "-untrusted",
        `${dir.path}/leaf.pem`,
        `${dir.path}/other.pem`,
      ]),
    );
  });
}

Deno.test("parseCert() reads an openssl-made certificate exactly as openssl reports it", async () => {
  await using dir = await tempDir();
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-384",
    "-nodes",
    "-keyout",
    `${dir.path}/k.pem`,
    "-out",
    `${dir.path}/c.pem`,
    "-subj",
    "/C=US/ST=CA/L=Town/O=Org/OU=Unit/CN=host.example",
    "-addext",
    "subjectAltName=DNS:host.example,DNS:*.host.example,IP:10.0.0.1,email:a@host.example",
    "-addext",
    "keyUsage=critical,digitalSignature,keyAgreement",
    "-addext",
    "extendedKeyUsage=serverAuth,emailProtection",
    "-days",
    "30",
    "-set_serial",
    "0x0123456789abcdef",
    "-sha384",
  ]);
  const pem = await Deno.readTextFile(`${dir.path}/c.pem`);
  const info = parseCert(pem);
  assert.deepEqual(info.subject, {
    countryName: "US",
    stateOrProvinceName: "CA",
    localityName: "Town",
    organizationName: "Org",
    organizationalUnitName: "Unit",
    commonName: "host.example",
  });
  assert.deepEqual(info.issuer, info.subject);
  assert.equal(info.serialNumber, "0123456789abcdef");
  assert.deepEqual(info.subjectAltNames, [
    "host.example",
    "*.host.example",
    "10.0.0.1",
    "a@host.example",
  ]);
  assert.deepEqual(info.keyUsage, ["DIGITAL_SIGNATURE", "KEY_AGREEMENT"]);
  assert.deepEqual(info.certTypes, ["SSL_SERVER", "EMAIL", "SSL_CA", "EMAIL_CA"]);
  assert.equal(info.publicKey.type, "ec");
  assert.equal(info.publicKey.curve, "P-384");
  assert.equal(info.publicKey.size, 48);
  assert.equal(
    info.publicKey.pem,
    await openssl(["x509", "-in", `${dir.path}/c.pem`, "-noout", "-pubkey"]),
  );
  assert.equal(info.signatureAlgorithm, "ECDSA with SHA-384");
  const fp =
    (await openssl(["x509", "-in", `${dir.path}/c.pem`, "-noout", "-fingerprint", "-sha256"]))
      .split("=")[1]!.trim();
  assert.equal(info.fingerprints.sha256, fp.replaceAll(":", "").toLowerCase());
  const fp1 =
    (await openssl(["x509", "-in", `${dir.path}/c.pem`, "-noout", "-fingerprint", "-sha1"])).split(
      "=",
    )[1]!.trim();
  assert.equal(info.fingerprints.sha1, fp1.replaceAll(":", "").toLowerCase());
  const dates = await openssl([
    "x509",
    "-in",
    `${dir.path}/c.pem`,
    "-noout",
    "-startdate",
    "-enddate",
  ]);
  const [start, end] = dates.trim().split("\n").map((l) => new Date(l.split("=")[1]!));
  assert.equal(info.validFrom.getTime(), start!.getTime());
  assert.equal(info.validTo.getTime(), end!.getTime());
  assert.equal(info.isCA, true); // openssl req -x509 adds basicConstraints CA:TRUE
  // DER input gives the same result
  const der = Uint8Array.fromBase64(pem.replace(/-----[^-]+-----|\s/g, ""));
  assert.equal(parseCert(der).fingerprints.sha256, info.fingerprints.sha256);
});

Deno.test("createCertificate() signs openssl CSRs with an openssl CA, and openssl verifies the chain", async () => {
  await using dir = await tempDir();
  const p = dir.path;
  await openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${p}/ca.key`,
    "-out",
    `${p}/ca.pem`,
    "-subj",
    "/CN=OpenSSL CA",
    "-days",
    "5",
  ]);
  await openssl([
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${p}/leaf.key`,
    "-out",
    `${p}/leaf.csr`,
    "-subj",
    "/CN=leaf",
    "-addext",
    "subjectAltName=DNS:leaf.test",
  ]);
  const cert = await createCertificate(
    await Deno.readTextFile(`${p}/leaf.csr`),
    await Deno.readTextFile(`${p}/ca.key`),
    {
      caCert: await Deno.readTextFile(`${p}/ca.pem`),
      serial: "0a0b0c",
      validFrom: "20240101000000Z",
      validTo: new Date(Date.now() + 86400_000),
      hash: "sha512",
    },
  );
  await Deno.writeTextFile(`${p}/leaf.pem`, cert);
  assert.equal(
    (await openssl(["verify", "-CAfile", `${p}/ca.pem`, `${p}/leaf.pem`])).trim(),
    `${p}/leaf.pem: OK`,
  );
  const info = parseCert(cert);
  assert.equal(info.serialNumber, "0a0b0c");
  assert.deepEqual(info.subjectAltNames, ["leaf.test"]);
  assert.equal(info.validFrom.toISOString(), "2024-01-01T00:00:00.000Z");
  assert.equal(info.signatureAlgorithm, "RSASSA-PKCS1-v1_5 with SHA-512");
  // the authority key identifier is the CA's subject key identifier
  const caText = await openssl([
    "x509",
    "-in",
    `${p}/ca.pem`,
    "-noout",
    "-ext",
    "subjectKeyIdentifier",
  ]);
  const leafText = await openssl([
    "x509",
    "-in",
    `${p}/leaf.pem`,
    "-noout",
    "-ext",
    "authorityKeyIdentifier",
  ]);
  const ski = caText.trim().split("\n").at(-1)!.trim();
  assert.ok(leafText.includes(ski), `${leafText} does not contain ${ski}`);
});

Deno.test("createCertificate() refuses a key that does not belong to the CA or CSR, and a forged CSR", async () => {
  const pki = await makePki();
  const key = await createKey();
  const csr = await createCsr(key, { commonName: "x" });
  await assert.rejects(createCertificate(csr, await createKey()), TypeError);
  await assert.rejects(createCertificate(csr, key, { caCert: pki.caCert }), TypeError);
  const forged = csr.replace(
    /\n([A-Za-z0-9+/]{10})/,
    (_m, s: string) => `\n${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`,
  );
  await assert.rejects(
    createCertificate(forged, key),
    (e) => e instanceof TypeError || e instanceof SyntaxError,
  );
  await assert.rejects(createCertificate(csr, key, { serial: 0 }), RangeError);
  await assert.rejects(
    createCertificate(csr, key, { validFrom: new Date(2030, 0), validTo: new Date(2029, 0) }),
    RangeError,
  );
  await assert.rejects(createCertificate("not pem", key), SyntaxError);
});

Deno.test("createCsr() validates the DN, SAN, certificate types and key usages", async () => {
  const key = await createKey();
  await assert.rejects(createCsr(key, {}), TypeError);
  await assert.rejects(createCsr(key, { countryName: "Norway" }), TypeError);
  // @ts-expect-error unknown field on purpose
  await assert.rejects(createCsr(key, { commonname: "x" }), TypeError);
  await assert.rejects(createCsr(key, { commonName: "x" }, { san: "bad name!" }), TypeError);
  // @ts-expect-error unknown type on purpose
  await assert.rejects(createCsr(key, { commonName: "x" }, { certTypes: ["SSL_ANY"] }), TypeError);
  // @ts-expect-error unknown usage on purpose
  await assert.rejects(createCsr(key, { commonName: "x" }, { keyUsage: ["SIGN"] }), TypeError);
  const pub = await openssl(["pkey", "-pubout"], key);
  await assert.rejects(createCsr(pub, { commonName: "x" }), TypeError);
});

Deno.test("parseCertTime() parses UTCTime and GeneralizedTime and rejects the rest", () => {
  assert.equal(parseCertTime("700101000000Z"), 0);
  assert.equal(parseCertTime("491231235959Z"), Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
  assert.equal(parseCertTime("500101000000Z"), Date.UTC(1950, 0, 1) / 1000);
  assert.equal(parseCertTime("20240229120000Z"), Date.UTC(2024, 1, 29, 12) / 1000);
  for (
    const bad of [
      "",
      "7001010000Z",
      "700101000000",
      "20230229120000Z",
      "701301000000Z",
      "700101250000Z",
      "2024022912000Z",
    ]
  ) {
    assert.throws(() => parseCertTime(bad), SyntaxError, bad);
  }
});

Deno.test("parseCert() rejects non-certificates with SyntaxError (bounded fuzz)", async () => {
  const { leafCert } = await makePki();
  const der = Uint8Array.fromBase64(leafCert.replace(/-----[^-]+-----|\s/g, ""));
  const rand = prng(4242);
  for (let i = 0; i < 300; i++) {
    const mutated = der.slice();
    for (let k = 0; k < 1 + (i % 4); k++) {
      const [a, b] = rand(2);
      mutated[((a! << 8) | b!) % mutated.length] = rand(1)[0]!;
    }
    try {
      parseCert(i % 7 === 0 ? mutated.subarray(0, mutated.length - i) : mutated);
    } catch (error) {
      assert.ok(error instanceof SyntaxError, String(error));
    }
  }
  assert.throws(
    () => parseCert("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    SyntaxError,
  );
  assert.throws(() => parseCert(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), SyntaxError);
  // @ts-expect-error wrong type on purpose
  assert.throws(() => parseCert(42), TypeError);
});
