// A second, independent SMTP server (Debian python3-aiosmtpd: STARTTLS required, AUTH over
// TLS only), and the seed's "Sending E-Mails Via a Proxy": a message sent over a SOCKS5 tunnel
// through microsocks, opened with the HTTP client's proxycon.
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { simpleParser } from "npm:mailparser@3.7.4";
import { proxycon } from "@cosocket/http";
import { mail } from "@cosocket/mail";
import { certs } from "../socket/_helpers.ts";
import { assertClean } from "../http/_helpers.ts";
import { microsocks } from "../http/_peers.ts";
import { smtpServer } from "./_smtp_peers.ts";

const CERT = new URL("../testdata/tls/server.pem", import.meta.url).pathname;
const KEY = new URL("../testdata/tls/server.key", import.meta.url).pathname;
const TLS = { caCerts: [certs.ca], serverName: "localhost" };

const AIOSMTPD = `
import base64, socket, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

class Handler:
    async def handle_DATA(self, server, session, envelope):
        print("MESSAGE", ",".join(envelope.rcpt_tos), base64.b64encode(envelope.original_content).decode(), flush=True)
        return "250 Message accepted"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"bob" and auth_data.password == b"secret"
    return AuthResult(success=ok)

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(sys.argv[1], sys.argv[2])
probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context,
                        require_starttls=True, authenticator=authenticator, auth_require_tls=True)
controller.start()
print("READY", port, flush=True)
sys.stdin.read()
controller.stop()`;

Deno.test("mail: python aiosmtpd with STARTTLS required and AUTH", async () => {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", AIOSMTPD, CERT, KEY],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("aiosmtpd exited");
      buffered += value;
    }
    const line = buffered.slice(0, buffered.indexOf("\n"));
    buffered = buffered.slice(line.length + 1);
    return line;
  };
  try {
    const port = Number((await nextLine()).split(" ")[1]);
    {
      await using client = mail({
        server: "127.0.0.1",
        port,
        starttls: true,
        tls: TLS,
        user: "bob",
        password: "secret",
      });
      const result = await client.send({
        from: "Bob <bob@example.com>",
        to: ["alice@example.org", "carol@example.org"],
        subject: "via aiosmtpd",
        txtbody: "text",
        htmlbody: "<b>html</b>",
      });
      deepStrictEqual(result.accepted, ["alice@example.org", "carol@example.org"]);
      const [, recipients, content] = (await nextLine()).split(" ");
      equal(recipients, "alice@example.org,carol@example.org");
      const message = await simpleParser(Buffer.from(Uint8Array.fromBase64(content!)));
      deepStrictEqual([message.subject, message.text?.trim(), String(message.html).trim()], [
        "via aiosmtpd",
        "text",
        "<b>html</b>",
      ]);
      ok(client.capabilities.has("AUTH"));
    }
  } finally {
    await child.stdin.close();
    await child.status;
    await lines.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
  await assertClean();
});

Deno.test("mail: through a SOCKS5 proxy (microsocks) with proxycon, implicit TLS over the tunnel", async () => {
  {
    await using server = await smtpServer({ secure: true });
    await using proxy = await microsocks();
    const tunnel = await proxycon(
      { host: "127.0.0.1", port: proxy.port, type: "socks5" },
      `localhost:${server.port}`,
    );
    await using client = mail({ server: tunnel, tls: TLS, user: "bob", password: "secret" });
    const result = await client.send({
      from: "bob@example.com",
      to: "alice@example.org",
      subject: "via SOCKS5",
      body: "hi",
    });
    equal(result.reply.code, 250);
    const received = server.messages[0]!;
    deepStrictEqual([received.secure, received.user], [true, "bob"]);
    equal((await simpleParser(Buffer.from(received.raw))).subject, "via SOCKS5");
  }
  await assertClean();
});
