// DKIM signatures (rsa-sha256, ed25519-sha256, relaxed/relaxed) verified by dkimpy
// (Debian python3-dkim) with the public key handed to it (no DNS), directly and after
// going through npm smtp-server.
import { equal } from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { buildMessage, dkimSign, mail } from "@cosocket/mail";
import { assertClean } from "../http/_helpers.ts";
import { smtpServer } from "./_smtp_peers.ts";

const VERIFY = `
import base64, dkim, sys
kind, key = sys.argv[1], sys.argv[2].encode()
def dnsfunc(name, timeout=5):
    return b"v=DKIM1; k=" + kind.encode() + b"; p=" + key
print(dkim.verify(sys.stdin.buffer.read(), dnsfunc=dnsfunc))`;

function published(key: KeyObject): [string, string] {
  if (key.asymmetricKeyType === "rsa") {
    return ["rsa", (key.export({ type: "spki", format: "der" }) as Uint8Array).toBase64()];
  }
  const jwk = key.export({ format: "jwk" }) as { x: string };
  return ["ed25519", Uint8Array.fromBase64(jwk.x, { alphabet: "base64url" }).toBase64()];
}

async function dkimpy(signed: Uint8Array, publicKey: KeyObject): Promise<string> {
  const [kind, key] = published(publicKey);
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", VERIFY, kind, key],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(signed);
  await writer.close();
  const out = await child.output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

const MESSAGE = {
  from: "Bob <bob@example.com>",
  to: "Alice <alice@example.org>",
  subject: "Signed   with  spaces and Ünïcode",
  txtbody: "Line one  \nLine two\t\twith tabs\n\n\n",
  htmlbody: "<p>html</p>",
  attachments: [{ name: "a.bin", content: new Uint8Array(5000).map((_, i) => i % 256) }],
};

for (const kind of ["rsa", "ed25519"] as const) {
  Deno.test(`dkim: ${kind} signatures verify with dkimpy, and fail once the body changes`, async () => {
    const { privateKey, publicKey } = kind === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ed25519");
    const signed = await dkimSign(await buildMessage(MESSAGE), {
      domain: "example.com",
      selector: "mail",
      privateKey,
    });
    equal(await dkimpy(signed, publicKey), "True");
    const text = new TextDecoder().decode(signed).replace("Line two", "Line 2!!");
    equal(await dkimpy(new TextEncoder().encode(text), publicKey), "False");
  });
}

Deno.test("dkim: a message signed by the SMTP client still verifies after smtp-server received it", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  {
    await using server = await smtpServer({ authOptional: true });
    await using client = mail({
      server: "127.0.0.1",
      port: server.port,
      tls: false,
      dkim: { domain: "example.com", selector: "mail", privateKey },
    });
    await client.send({ ...MESSAGE, txtbody: ".leading dot\n" + MESSAGE.txtbody });
    equal(await dkimpy(server.messages[0]!.raw, publicKey), "True");
  }
  await assertClean();
});
