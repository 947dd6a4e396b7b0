import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { importKey, type KeyAlgorithm, keySize, pemDecode, pemEncode } from "@cosocket/crypto";
import { openssl, prng, run, tempDir, utf8 } from "./_helpers.ts";

const data = utf8("payload to sign");

interface Kind {
  name: string;
  gen: string[];
  alg: KeyAlgorithm;
  sign: AlgorithmIdentifier | EcdsaParams;
  traditional?: string[];
  publicTraditional?: string[];
}

const kinds: Kind[] = [
  {
    name: "RSA",
    gen: ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    alg: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
    traditional: ["rsa", "-traditional"],
    publicTraditional: ["rsa", "-RSAPublicKey_out"],
  },
  {
    name: "EC P-256",
    gen: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    alg: { name: "ECDSA", namedCurve: "P-256" },
    sign: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    traditional: ["ec"],
  },
  {
    name: "EC P-384",
    gen: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    alg: { name: "ECDSA", namedCurve: "P-384" },
    sign: { name: "ECDSA", hash: "SHA-384" } as EcdsaParams,
    traditional: ["ec"],
  },
  {
    name: "EC P-521",
    gen: ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
    alg: { name: "ECDSA", namedCurve: "P-521" },
    sign: { name: "ECDSA", hash: "SHA-512" } as EcdsaParams,
    traditional: ["ec"],
  },
  {
    name: "Ed25519",
    gen: ["genpkey", "-algorithm", "ED25519"],
    alg: { name: "Ed25519" },
    sign: { name: "Ed25519" },
  },
];

for (const kind of kinds) {
  Deno.test(`importKey() reads every openssl ${kind.name} key format and signs across them`, async () => {
    await using dir = await tempDir();
    const keyFile = `${dir.path}/key.pem`;
    const pkcs8 = await openssl([...kind.gen]);
    await Deno.writeTextFile(keyFile, pkcs8);
    const privates: (string | Uint8Array)[] = [
      pkcs8,
      await run("openssl", ["pkey", "-in", keyFile, "-outform", "DER"]),
    ];
    if (kind.traditional) {
      const trad = await openssl([...kind.traditional, "-in", keyFile]);
      assert.match(trad, /BEGIN (RSA|EC) PRIVATE KEY/);
      privates.push(trad);
      privates.push(await run("openssl", [...kind.traditional, "-in", keyFile, "-outform", "DER"]));
    }
    if (kind.name.startsWith("EC")) {
      // openssl ecparam -genkey style: an "EC PARAMETERS" block precedes the key
      const params = await openssl(["pkey", "-in", keyFile, "-text_pub", "-noout"]).then(() =>
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
      );
      privates.push(params + (await openssl(["ec", "-in", keyFile])));
    }
    const spki = await openssl(["pkey", "-in", keyFile, "-pubout"]);
    const publics: (string | Uint8Array)[] = [
      spki,
      await run("openssl", ["pkey", "-in", keyFile, "-pubout", "-outform", "DER"]),
      await openssl(["req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=test", "-days", "1"]),
      ...privates, // a private key imported for "verify" yields its public key
    ];
    if (kind.publicTraditional) {
      publics.push(await openssl([...kind.publicTraditional, "-in", keyFile]));
    }
    const sigs: ArrayBuffer[] = [];
    for (const p of privates) {
      const key = await importKey(p, kind.alg, "sign");
      assert.equal(key.type, "private");
      sigs.push(await crypto.subtle.sign(kind.sign, key, data));
    }
    for (const p of publics) {
      const key = await importKey(p, kind.alg, "verify");
      assert.equal(key.type, "public");
      assert.ok(key.extractable);
      for (const sig of sigs) assert.ok(await crypto.subtle.verify(kind.sign, key, sig, data));
      // the public part exports as a JWK
      const jwk = await crypto.subtle.exportKey("jwk", key);
      assert.equal(jwk.d, undefined);
    }
    // openssl verifies what we signed (raw ECDSA signatures are converted to DER first)
    if (kind.name === "RSA" || kind.name === "Ed25519") {
      await Deno.writeFile(`${dir.path}/sig`, new Uint8Array(sigs[0]!));
      await Deno.writeFile(`${dir.path}/data`, data);
      await Deno.writeTextFile(`${dir.path}/pub.pem`, spki);
      const args = kind.name === "RSA"
        ? [
          "dgst",
          "-sha256",
          "-verify",
          `${dir.path}/pub.pem`,
          "-signature",
          `${dir.path}/sig`,
          `${dir.path}/data`,
        ]
        : [
          "pkeyutl",
          "-verify",
          "-pubin",
          "-inkey",
          `${dir.path}/pub.pem`,
          "-rawin",
          "-in",
          `${dir.path}/data`,
          "-sigfile",
          `${dir.path}/sig`,
        ];
      assert.match(await openssl(args), /Verified OK|Signature Verified Successfully/);
    }
  });
}

Deno.test("importKey() accepts JWK, bare {n, e} numbers and CryptoKey input", async () => {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSA-PSS",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const alg = { name: "RSA-PSS", hash: "SHA-256" } as const;
  const priv = await importKey(jwk, alg, "sign");
  const sig = await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, priv, data);
  const fromPrivJwk = await importKey(jwk, alg, "verify");
  assert.equal(fromPrivJwk.type, "public");
  const nums = { n: jwk.n!, e: jwk.e! };
  const fromNums = await importKey(nums, alg, "verify");
  const fromBytes = await importKey(
    { n: Uint8Array.fromBase64(jwk.n!, { alphabet: "base64url" }), e: new Uint8Array([1, 0, 1]) },
    alg,
    "verify",
  );
  const fromCryptoKey = await importKey(pair.privateKey, alg, "verify");
  for (const k of [fromPrivJwk, fromNums, fromBytes, fromCryptoKey, pair.publicKey]) {
    assert.ok(await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, k, sig, data));
  }
  // the same RSA key re-imported for another RSA algorithm
  const pkcs1 = await importKey(
    pair.privateKey,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
    "sign",
  );
  assert.equal(pkcs1.algorithm.name, "RSASSA-PKCS1-v1_5");
  // JWK policy members are ignored: the algorithm argument decides
  const withAlg = await importKey({ ...jwk, alg: "PS512", key_ops: ["sign"] }, alg, "verify");
  assert.equal(withAlg.type, "public");
  assert.equal(await importKey(pair.publicKey, alg, "verify"), pair.publicKey);
});

Deno.test("importKey() imports RSA-OAEP keys for encrypt and decrypt", async () => {
  const pem = await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
  const alg = { name: "RSA-OAEP", hash: "SHA-256" } as const;
  const pub = await importKey(pem, alg, "encrypt");
  const priv = await importKey(pem, alg, "decrypt");
  const ct = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, pub, data);
  assert.deepEqual(
    new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, priv, ct)),
    data,
  );
});

Deno.test("importKey() HMAC keys match node:crypto, including a zero-length secret", async () => {
  for (const hash of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"] as const) {
    const nodeName = hash.replace("-", "").toLowerCase();
    for (const secret of ["", "k", "my-secret", "x".repeat(200)]) {
      const inputs = [secret, utf8(secret), {
        kty: "oct",
        k: utf8(secret).toBase64({ alphabet: "base64url", omitPadding: true }),
      }];
      for (const input of inputs) {
        if (secret === "" && typeof input === "object" && !(input instanceof Uint8Array)) continue;
        const key = await importKey(input, { name: "HMAC", hash }, "sign");
        const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
        assert.deepEqual(mac, new Uint8Array(createHmac(nodeName, secret).update(data).digest()));
      }
    }
  }
  const v = await importKey(new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, "verify");
  const mac = new Uint8Array(createHmac("sha256", "").update(data).digest());
  assert.ok(await crypto.subtle.verify("HMAC", v, mac, data));
});

Deno.test("importKey() decrypts password-protected private keys", async () => {
  await using dir = await tempDir();
  const pem = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  await Deno.writeTextFile(`${dir.path}/k.pem`, pem);
  const enc = await openssl([
    "pkey",
    "-in",
    `${dir.path}/k.pem`,
    "-aes-256-cbc",
    "-passout",
    "pass:pw",
  ]);
  assert.match(enc, /ENCRYPTED PRIVATE KEY/);
  const alg = { name: "ECDSA", namedCurve: "P-256" } as const;
  await assert.rejects(importKey(enc, alg, "sign"), TypeError);
  await assert.rejects(importKey(enc, alg, "sign", { password: "wrong" }), TypeError);
  const key = await importKey(enc, alg, "sign", { password: "pw" });
  assert.equal(key.type, "private");
});

Deno.test("importKey() throws TypeError for keys of the wrong kind and SyntaxError for bad encodings", async () => {
  const ec = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  const ecPub = await openssl(["pkey", "-pubout"], ec);
  const p256 = { name: "ECDSA", namedCurve: "P-256" } as const;
  const typeErrors: [unknown, KeyAlgorithm, string][] = [
    [ecPub, p256, "sign"], // public key cannot sign
    [ec, { name: "ECDSA", namedCurve: "P-384" }, "sign"], // wrong curve
    [ec, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, "verify"], // wrong family
    [ec, { name: "Ed25519" }, "verify"],
    [ec, p256, "encrypt"], // usage does not fit ECDSA
    [ec, { name: "RSA-OAEP", hash: "SHA-256" }, "sign"],
    [{ n: "AQAB", e: "AQAB" }, p256, "verify"],
    [{ kty: "EC", crv: "P-384", x: "", y: "" }, p256, "verify"],
    [42, p256, "verify"],
    [null, p256, "verify"],
    [ec, { name: "HMAC", hash: "MD5" } as unknown as KeyAlgorithm, "sign"],
    [ec, { name: "AES-GCM" } as unknown as KeyAlgorithm, "sign"],
    [ec, p256, "derive"],
    [{ n: "not base64url!", e: "AQAB" }, { name: "RSA-PSS", hash: "SHA-256" }, "verify"],
    [
      pemDecode(ec)[0]!.label === "PRIVATE KEY"
        ? "-----BEGIN X509 CRL-----\nAQID\n-----END X509 CRL-----\n"
        : "",
      p256,
      "verify",
    ],
  ];
  for (const [key, alg, usage] of typeErrors) {
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      importKey(key as any, alg, usage as any),
      TypeError,
      `${JSON.stringify(alg)} ${usage} ${String(key).slice(0, 30)}`,
    );
  }
  const syntaxErrors = [
    "-----BEGIN PRIVATE KEY-----\nAQID\n-----END PRIVATE KEY-----\n", // not DER
    "-----BEGIN PUBLIC KEY-----\nMAMCAQA=\n-----END PUBLIC KEY-----\n", // wrong shape for label
    "not a pem",
    new Uint8Array([0x30, 0x82, 0xff]), // truncated DER
  ];
  for (const key of syntaxErrors) {
    await assert.rejects(importKey(key, p256, "verify"), SyntaxError, String(key));
  }
});

Deno.test("importKey() re-imports an HMAC CryptoKey for another hash or usage when extractable", async () => {
  const key = await crypto.subtle.importKey(
    "raw",
    utf8("k"),
    { name: "HMAC", hash: "SHA-256" },
    true,
    ["sign"],
  );
  assert.equal(await importKey(key, { name: "HMAC", hash: "SHA-256" }, "sign"), key);
  const other = await importKey(key, { name: "HMAC", hash: "SHA-512" }, "verify");
  assert.equal((other.algorithm as HmacKeyAlgorithm).hash.name, "SHA-512");
  const mac = new Uint8Array(createHmac("sha512", "k").update(data).digest());
  assert.ok(await crypto.subtle.verify("HMAC", other, mac, data));
  const locked = await crypto.subtle.importKey(
    "raw",
    utf8("k"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  await assert.rejects(importKey(locked, { name: "HMAC", hash: "SHA-1" }, "sign"), TypeError);
  await assert.rejects(importKey(key, { name: "HMAC", hash: "SHA-256" }, "encrypt"), TypeError);
});

Deno.test("importKey() and keySize() survive mutated DER and PEM with typed errors only (bounded fuzz)", async () => {
  const pem = await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
  const sec1 = await run("openssl", ["ec", "-outform", "DER"], pem);
  const spki = await run("openssl", ["pkey", "-pubout", "-outform", "DER"], pem);
  const rand = prng(777);
  const alg = { name: "ECDSA", namedCurve: "P-256" } as const;
  for (let i = 0; i < 300; i++) {
    const base = [sec1, spki][i % 2]!;
    const mutated = base.slice(0, i % 5 === 0 ? base.length - (i % 40) : base.length);
    for (let k = 0; k < 1 + (i % 3); k++) mutated[rand(1)[0]! % mutated.length] = rand(1)[0]!;
    for (const input of [mutated, pemEncode(i % 2 ? "PUBLIC KEY" : "EC PRIVATE KEY", mutated)]) {
      try {
        await importKey(input, alg, "verify");
      } catch (error) {
        assert.ok(error instanceof TypeError || error instanceof SyntaxError, String(error));
      }
      try {
        keySize(input);
      } catch (error) {
        assert.ok(error instanceof TypeError || error instanceof SyntaxError, String(error));
      }
    }
  }
});
