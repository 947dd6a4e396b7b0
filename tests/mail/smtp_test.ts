// The SMTP client against npm smtp-server (implicit TLS, STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5),
// with every message parsed by mailparser and compared field by field.
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { simpleParser } from "npm:mailparser@3.7.4";
import { diskIo, memoryIo, rwfile } from "@cosocket/io";
import { mail, SmtpError } from "@cosocket/mail";
import { run, sleep } from "@cosocket/socket";
import { certs } from "../socket/_helpers.ts";
import { assertClean } from "../http/_helpers.ts";
import { smtpServer } from "./_smtp_peers.ts";

const TLS = { caCerts: [certs.ca], serverName: "localhost" };

async function parsed(raw: Uint8Array) {
  return await simpleParser(Buffer.from(raw));
}

/** A raw SMTP server that accepts one message's envelope and closes in the middle of its DATA. */
function droppingServer(): { port: number; done: Promise<void> } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    const encoder = new TextEncoder();
    const buffer = new Uint8Array(65536);
    await conn.write(encoder.encode("220 drop.test ESMTP\r\n"));
    let data = false;
    let received = 0;
    while (true) {
      const count = await conn.read(buffer).catch(() => null);
      if (count === null) break;
      if (data) {
        received += count;
        if (received > 1000) break;
        continue;
      }
      const text = new TextDecoder().decode(buffer.subarray(0, count));
      if (text.startsWith("EHLO")) {
        await conn.write(encoder.encode("250-drop.test\r\n250 8BITMIME\r\n"));
      } else if (text.startsWith("DATA")) {
        data = true;
        await conn.write(encoder.encode("354 go ahead\r\n"));
      } else await conn.write(encoder.encode("250 ok\r\n"));
    }
    conn.close();
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    done,
    async [Symbol.asyncDispose]() {
      listener.close();
      await done.catch(() => {});
    },
  };
}

Deno.test("mail: implicit TLS with AUTH PLAIN, text + html + inline image + attachment, parsed by mailparser", async () => {
  {
    await using server = await smtpServer({ secure: true });
    await using client = mail({
      server: "127.0.0.1",
      port: server.port,
      tls: TLS,
      user: "bob",
      password: "secret",
    });
    const image = new Uint8Array(3000).map((_, i) => i % 251);
    const attachment = new Uint8Array(70000).map((_, i) => (i * 7) % 256);
    const result = await client.send({
      from: "Bob Sender <bob@example.com>",
      to: ["Alice <alice@example.org>", "carol@example.org"],
      cc: '"Doe, Jane" <jane@example.net>',
      bcc: "secret@example.net",
      subject: "Grüße aus Köln, a subject long enough to be folded over more than one line 🙂",
      txtbody: "Hello Alice,\n.\nA line with a lone dot above.\n",
      htmlbody: '<h1>Hello</h1><img src="cid:logo@cosocket">',
      htmlimg: [{ id: "logo@cosocket", name: "logo.png", type: "image/png", content: image }],
      attachments: [{ name: "data.bin", content: attachment, description: "Some bytes" }],
    });
    deepStrictEqual(result.accepted.sort(), [
      "alice@example.org",
      "carol@example.org",
      "jane@example.net",
      "secret@example.net",
    ]);
    equal(result.reply.code, 250);
    const received = server.messages[0]!;
    deepStrictEqual([received.user, received.secure, received.from], [
      "bob",
      true,
      "bob@example.com",
    ]);
    const message = await parsed(received.raw);
    equal(
      message.subject,
      "Grüße aus Köln, a subject long enough to be folded over more than one line 🙂",
    );
    equal(message.text, "Hello Alice,\n.\nA line with a lone dot above.\n");
    ok(String(message.html).includes("<h1>Hello</h1>"));
    deepStrictEqual(message.from?.value, [{ address: "bob@example.com", name: "Bob Sender" }]);
    deepStrictEqual(
      (message.to as { value: { address: string }[] }).value.map((v) => v.address),
      ["alice@example.org", "carol@example.org"],
    );
    deepStrictEqual((message.cc as { value: { name: string }[] }).value.map((v) => v.name), [
      "Doe, Jane",
    ]);
    equal(message.bcc, undefined);
    ok(
      !new TextDecoder().decode(received.raw).includes("secret@example.net"),
      "bcc leaked into the headers",
    );
    const logo = message.attachments.find((a: { cid?: string }) => a.cid === "logo@cosocket")!;
    deepStrictEqual([logo.contentType, new Uint8Array(logo.content)], ["image/png", image]);
    const data = message.attachments.find((a: { filename?: string }) => a.filename === "data.bin")!;
    deepStrictEqual(new Uint8Array(data.content), attachment);
    ok(message.messageId?.endsWith("@example.com>"));
    ok(message.date instanceof Date);
  }
  await assertClean();
});

Deno.test("mail: STARTTLS with LOGIN and CRAM-MD5, several messages on one connection, encodings", async () => {
  {
    await using server = await smtpServer();
    for (const authMethod of ["LOGIN", "CRAM-MD5"] as const) {
      await using client = mail({
        server: "127.0.0.1",
        port: server.port,
        starttls: true,
        tls: TLS,
        user: "bob",
        password: "secret",
        authMethod,
      });
      for (const encoding of ["QUOTED", "B64", "8BIT", "NONE"] as const) {
        await client.send({
          from: "bob@example.com",
          to: "alice@example.org",
          subject: `${authMethod} ${encoding}`,
          body: encoding === "NONE" ? "plain ascii\r\nsecond line" : "ünïcödé text\nwith two lines",
          encoding,
        });
      }
      ok(client.capabilities.has("PIPELINING"));
    }
    equal(server.connections, 2);
    equal(server.messages.length, 8);
    for (const received of server.messages) {
      equal(received.secure, true);
      const message = await parsed(received.raw);
      const expected = message.subject!.endsWith("NONE")
        ? "plain ascii\nsecond line"
        : "ünïcödé text\nwith two lines";
      equal(message.text?.trimEnd(), expected, message.subject);
    }
  }
  await assertClean();
});

Deno.test("mail: some recipients refused, all refused, wrong password, plaintext AUTH refused", async () => {
  {
    await using server = await smtpServer({ refuse: ["nobody@example.org", "ghost@example.org"] });
    await using client = mail({
      server: "127.0.0.1",
      port: server.port,
      starttls: true,
      tls: TLS,
      user: "bob",
      password: "secret",
    });
    const partial = await client.send({
      from: "bob@example.com",
      to: ["alice@example.org", "nobody@example.org"],
      body: "hi",
    });
    deepStrictEqual(partial.accepted, ["alice@example.org"]);
    deepStrictEqual(partial.rejected.map((r) => [r.address, r.reply.code]), [[
      "nobody@example.org",
      550,
    ]]);
    await rejects(
      Promise.resolve(
        client.send({ from: "bob@example.com", to: ["ghost@example.org"], body: "hi" }),
      ),
      (error: SmtpError) => error.code === "reply" && error.reply?.code === 550,
    );
    // The connection is still good for the next message (RSET in between).
    equal(
      (await client.send({ from: "bob@example.com", to: "alice@example.org", body: "again" })).reply
        .code,
      250,
    );
    equal(server.messages.length, 2);
    await using wrong = mail({
      server: "127.0.0.1",
      port: server.port,
      starttls: true,
      tls: TLS,
      user: "bob",
      password: "wrong",
    });
    await rejects(
      Promise.resolve(wrong.send({ from: "bob@example.com", to: "alice@example.org", body: "x" })),
      (error: SmtpError) => error.code === "reply" && error.reply?.code === 535,
    );
    await using plain = mail({
      server: "127.0.0.1",
      port: server.port,
      tls: false,
      user: "bob",
      password: "secret",
    });
    await rejects(
      Promise.resolve(plain.send({ from: "bob@example.com", to: "alice@example.org", body: "x" })),
      (error: SmtpError) => error.code === "auth",
    );
  }
  await assertClean();
});

Deno.test("mail: header and command injection are refused; bare CR and LF are normalised", async () => {
  {
    await using server = await smtpServer({ authOptional: true });
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await rejects(
      Promise.resolve(
        client.send({
          from: "bob@example.com",
          to: "alice@example.org\r\nRCPT TO:<x@y>",
          body: "x",
        }),
      ),
      TypeError,
    );
    await rejects(
      Promise.resolve(
        client.send({
          from: "bob@example.com",
          to: "alice@example.org",
          subject: "a\r\nBcc: x@y",
          body: "x",
        }),
      ),
      TypeError,
    );
    await rejects(
      Promise.resolve(
        client.send({
          from: "bob@example.com",
          to: "a@example.org",
          headers: { "X-A": "1\nX-B: 2" },
          body: "x",
        }),
      ),
      TypeError,
    );
    await client.send({
      from: "bob@example.com",
      to: "alice@example.org",
      body: "one\rtwo\nthree\r\n.\n..\nend",
      encoding: "NONE",
    });
    const raw = new TextDecoder().decode(server.messages[0]!.raw);
    ok(!/[^\r]\n|\r[^\n]/.test(raw), "a bare CR or LF reached the server");
    equal((await parsed(server.messages[0]!.raw)).text?.trimEnd(), "one\ntwo\nthree\n.\n..\nend");
  }
  await assertClean();
});

Deno.test("mail: a connection dropped in DATA is a typed error; QUIT goes out when a cosocket is halted", async () => {
  {
    await using server = droppingServer();
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await rejects(
      Promise.resolve(
        client.send({ from: "bob@example.com", to: "alice@example.org", body: "x".repeat(200000) }),
      ),
      (error: SmtpError) =>
        error instanceof SmtpError && ["closed", "protocol"].includes(error.code),
    );
    equal(client.connected, false);
  }
  {
    await using server = await smtpServer({ authOptional: true });
    const client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    const task = run(function* () {
      yield* client.send({ from: "bob@example.com", to: "alice@example.org", body: "first" });
      yield* client.send({
        from: "bob@example.com",
        to: "alice@example.org",
        body: "x".repeat(100),
      });
      return "done";
    });
    equal(await task, "done");
    // The cosocket ended: its teardown said QUIT and closed the connection.
    equal(client.connected, false);
    equal(server.messages.length, 2);
    // Halted while it waits: the teardown still says QUIT.
    const halted = run(function* () {
      yield* client.send({ from: "bob@example.com", to: "alice@example.org", body: "third" });
      yield* sleep(60_000);
    });
    for (let i = 0; i < 1000 && server.messages.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    equal(client.connected, true);
    await halted.halt();
    equal(client.connected, false);
  }
  await assertClean();
});

Deno.test("mail: a cosocket halted while the client waits for the greeting leaves no connection", async () => {
  {
    // A server that accepts and never greets.
    using silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = mail({
      server: "127.0.0.1",
      port: silent.addr.port,
      tls: false,
      timeout: 60_000,
    });
    const task = run(function* () {
      yield* client.send({ from: "bob@example.com", to: "alice@example.org", body: "never" });
    });
    const conn = await silent.accept();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await task.halt();
    equal(client.connected, false);
    conn.close();
  }
  await assertClean();
});

Deno.test("mail: SMTPUTF8 for non-ASCII addresses when the server offers it, a clear error when not", async () => {
  {
    await using server = await smtpServer({ authOptional: true });
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await client.send({
      from: "jörg@example.com",
      to: "Zoë <zoë@exämple.org>",
      subject: "ü",
      body: "hi",
    });
    ok(client.capabilities.has("SMTPUTF8"));
    deepStrictEqual([server.messages[0]!.from, server.messages[0]!.to], ["jörg@example.com", [
      "zoë@exämple.org",
    ]]);
    equal((await parsed(server.messages[0]!.raw)).subject, "ü");
  }
  {
    await using server = droppingServer();
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await rejects(
      Promise.resolve(client.send({ from: "a@example.com", to: "zoë@exämple.org", body: "hi" })),
      (error: SmtpError) => error.code === "incorrectuse" && /SMTPUTF8/.test(error.message),
    );
  }
  await assertClean();
});

Deno.test("mail: an attachment read from an Io (memoryIo and diskIo)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 13) % 256);
    const memory = memoryIo();
    await memory.mkdir("docs");
    await rwfile.file(memory, "docs/report.bin", bytes);
    const disk = diskIo(dir);
    await rwfile.file(disk, "notes.txt", "from the disk I/O");
    await using server = await smtpServer({ authOptional: true });
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await client.send({
      from: "bob@example.com",
      to: "alice@example.org",
      body: "two files",
      attachments: [
        { content: { io: memory, name: "docs/report.bin" } },
        { content: { io: disk, name: "notes.txt" }, type: "text/plain" },
      ],
    });
    const message = await parsed(server.messages[0]!.raw);
    const report = message.attachments.find((a: { filename?: string }) =>
      a.filename === "report.bin"
    )!;
    deepStrictEqual(new Uint8Array(report.content), bytes);
    const notes = message.attachments.find((a: { filename?: string }) =>
      a.filename === "notes.txt"
    )!;
    equal(new TextDecoder().decode(notes.content), "from the disk I/O");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assertClean();
});

Deno.test("mail: 8BIT goes out as it is with BODY=8BITMIME when the server offers 8BITMIME, quoted-printable when not", async () => {
  for (const hide8BitMime of [false, true]) {
    await using server = await smtpServer({ authOptional: true, hide8BitMime });
    await using client = mail({ server: "127.0.0.1", port: server.port, tls: false });
    await client.send({
      from: "bob@example.com",
      to: "alice@example.org",
      subject: "eight bits",
      body: "ünïcödé text",
      encoding: "8BIT",
    });
    equal(client.capabilities.has("8BITMIME"), !hide8BitMime);
    const [received] = server.messages;
    const raw = new TextDecoder().decode(received!.raw);
    equal(received!.mailArgs.BODY, hide8BitMime ? undefined : "8BITMIME");
    equal(/[\x80-\xff]/.test(new TextDecoder("latin1").decode(received!.raw)), !hide8BitMime);
    ok(raw.includes(`Content-Transfer-Encoding: ${hide8BitMime ? "quoted-printable" : "8bit"}`));
    equal((await parsed(received!.raw)).text?.trimEnd(), "ünïcödé text");
  }
  await assertClean();
});
