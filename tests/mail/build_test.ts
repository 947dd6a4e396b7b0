// The message builder: byte-for-byte the same message whether it is built whole or streamed,
// and whether an attachment comes from bytes or from a file (with a boundary seed, a
// Message-ID and a Date given).
import { deepStrictEqual, notDeepStrictEqual } from "node:assert/strict";
import { buildMessage, type MailMessage, streamMessage } from "@cosocket/mail";

Deno.test("mail builder: streamed or whole, from a file or from bytes, the same bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = new Uint8Array(5 * 1024 * 1024 + 13).map((_, i) => (i * 31) % 256);
    await Deno.writeFile(`${dir}/data.bin`, bytes);
    const base: Omit<MailMessage, "attachments"> = {
      from: "Bob <bob@example.com>",
      to: "Alice <alice@example.org>",
      subject: "Same bytes",
      txtbody: "text",
      htmlbody: "<p>html</p>",
      messageId: "fixed@example.com",
      date: new Date("2026-12-04T00:00:00Z"),
    };
    const options = { boundarySeed: "a secret seed" };
    const whole = await buildMessage({
      ...base,
      attachments: [{ name: "data.bin", content: bytes }],
    }, options);
    const streamed = new Uint8Array(
      await new Response(
        streamMessage(
          { ...base, attachments: [{ content: { path: `${dir}/data.bin` } }] },
          options,
        ),
      ).arrayBuffer(),
    );
    deepStrictEqual(streamed.length, whole.length);
    deepStrictEqual(streamed, whole);
    // Without a seed the boundaries are random.
    const first = await buildMessage({ ...base, attachments: [{ name: "a", content: "x" }] });
    const second = await buildMessage({ ...base, attachments: [{ name: "a", content: "x" }] });
    notDeepStrictEqual(first, second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
