/**
 * The seed's simplified mail library: a message with a text body, an HTML
 * body with an inline image, and an attachment, sent with `mail()`. A real
 * server would be `mail({ server: "smtp.example.com", starttls: true, user,
 * password })`; here a small SMTP sink on this machine takes the message
 * and prints what arrived, so the example runs anywhere.
 *
 * Run: `deno run --allow-net=127.0.0.1 examples/mail_send.ts`
 */
import { mail } from "@cosocket/mail";
import { bind, type Socket } from "@cosocket/socket";

/** An SMTP sink: answers every command, keeps the message it is given. */
function* sink(listener: Socket) {
  const sock = (yield* listener.accept())!;
  yield* sock.write("220 sink.example ESMTP\r\n");
  let line;
  while ((line = yield* sock.readLine()) !== null) {
    if (line.startsWith("EHLO")) {
      yield* sock.write("250-sink.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
      continue;
    }
    if (line === "DATA") {
      yield* sock.write("354 go ahead\r\n");
      const lines: string[] = [];
      let data;
      while ((data = yield* sock.readLine()) !== ".") lines.push(data!);
      console.log(`sink: received ${lines.length} lines; the head of the message:`);
      console.log(lines.slice(0, 8).map((text) => `  ${text}`).join("\n"));
      console.log(
        `  ... parts: ${lines.filter((text) => text.startsWith("Content-Type:")).join(" | ")}`,
      );
    }
    yield* sock.write(line === "QUIT" ? "221 bye\r\n" : "250 ok\r\n");
  }
}

await using server = bind(0, { hostname: "127.0.0.1" }).event(sink);
await using client = mail({ server: "127.0.0.1", port: server.sockname().port, tls: false });
const logo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const result = await client.send({
  from: "Bob <bob@example.com>",
  to: ["Alice <alice@example.org>"],
  bcc: "archive@example.com",
  subject: "Grüße from cosocket",
  txtbody: "This is the text body",
  htmlbody: '<h1>This is the html body</h1><img src="cid:the-unique-id">',
  htmlimg: [{ id: "the-unique-id", name: "logo.png", type: "image/png", content: logo }],
  attachments: [{
    name: "notes.txt",
    type: "text/plain",
    content: "A document",
    description: "A document",
  }],
});
console.log(
  "accepted:",
  result.accepted.join(", "),
  "| reply:",
  result.reply.code,
  result.reply.text,
);
