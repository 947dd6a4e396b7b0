// DKIM signatures (rsa-sha256, ed25519-sha256, relaxed/relaxed) verified by dkimpy
// (Debian python3-dkim) with the public key handed to it (no DNS), directly and after
// going through npm smtp-server, and by opendkim-testmsg (Debian opendkim-tools) with
// the key served by a DNS responder in a network namespace of its own.
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

/** Runs a command with `input` on its stdin. */
async function pipeInto(
  command: string,
  args: string[],
  input: Uint8Array,
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.close();
  return await child.output();
}

async function dkimpy(signed: Uint8Array, publicKey: KeyObject): Promise<string> {
  const [kind, key] = published(publicKey);
  const out = await pipeInto("/usr/bin/python3", ["-c", VERIFY, kind, key], signed);
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

/** MESSAGE signed with a new key of `kind`, and the same bytes with one body line changed. */
async function signedMessage(kind: "rsa" | "ed25519") {
  const { privateKey, publicKey } = kind === "rsa"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ed25519");
  const signed = await dkimSign(await buildMessage(MESSAGE), {
    domain: "example.com",
    selector: "mail",
    privateKey,
  });
  const text = new TextDecoder().decode(signed).replace("Line two", "Line 2!!");
  return { signed, tampered: new TextEncoder().encode(text), publicKey };
}

for (const kind of ["rsa", "ed25519"] as const) {
  Deno.test(`dkim: ${kind} signatures verify with dkimpy, and fail once the body changes`, async () => {
    const { signed, tampered, publicKey } = await signedMessage(kind);
    equal(await dkimpy(signed, publicKey), "True");
    equal(await dkimpy(tampered, publicKey), "False");
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

// opendkim-testmsg looks the key up in DNS and has no option to take it
// directly: it runs in a network and mount namespace of its own (unshare),
// where /etc/resolv.conf names a responder on that namespace's loopback which
// answers every TXT query with the key. Nothing leaves the namespace.
const FAKE_DNS = `
import socket, struct, sys
record = sys.argv[1].encode()
txt = b"".join(bytes([len(record[i:i + 255])]) + record[i:i + 255] for i in range(0, len(record), 255))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    query, peer = s.recvfrom(4096)
    end = 12
    while query[end] != 0:
        end += query[end] + 1
    question = query[12:end + 5]
    is_txt = struct.unpack(">H", query[end + 1:end + 3])[0] == 16
    answer = b"\\xc0\\x0c" + struct.pack(">HHIH", 16, 1, 60, len(txt)) + txt if is_txt else b""
    head = struct.pack(">HHHHHH", struct.unpack(">H", query[:2])[0], 0x8580, 1, int(is_txt), 0, 0)
    s.sendto(head + question + answer, peer)`;

const IN_NAMESPACE = `
ip link set lo up
mount --bind "$1" /etc/resolv.conf
coproc DNS { exec /usr/bin/python3 -c "$2" "$3" </dev/null; }
read -r ready <&"\${DNS[0]}"
opendkim-testmsg
status=$?
kill "$DNS_PID"
exit $status`;

async function opendkim(signed: Uint8Array, publicKey: KeyObject): Promise<Deno.CommandOutput> {
  const [kind, key] = published(publicKey);
  const resolvConf = await Deno.makeTempFile({ prefix: "cosocket-resolv-" });
  try {
    await Deno.writeTextFile(resolvConf, "nameserver 127.0.0.1\n");
    return await pipeInto("unshare", [
      "--net",
      "--mount",
      "bash",
      "-c",
      IN_NAMESPACE,
      "opendkim",
      resolvConf,
      FAKE_DNS,
      `v=DKIM1; k=${kind}; p=${key}`,
    ], signed);
  } finally {
    await Deno.remove(resolvConf);
  }
}

for (const kind of ["rsa", "ed25519"] as const) {
  Deno.test(`dkim: ${kind} signatures verify with opendkim-testmsg, and fail once the body changes`, async () => {
    const { signed, tampered, publicKey } = await signedMessage(kind);
    const good = await opendkim(signed, publicKey);
    equal(good.code, 0, new TextDecoder().decode(good.stderr));
    const bad = await opendkim(tampered, publicKey);
    equal(bad.code, 70);
    equal(
      new TextDecoder().decode(bad.stderr).trim(),
      "opendkim-testmsg: dkim_eom(): Bad signature",
    );
  });
}
