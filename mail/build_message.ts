import { type Io, ioReadable } from "@cosocket/io";
import { createHash } from "node:crypto";
import { parseAddress, parseAddressList } from "./address.ts";
import {
  base64Lines,
  crlf,
  encodeName,
  encodeWords,
  foldHeader,
  isAscii,
  quotedPrintable,
} from "./_encode.ts";

/**
 * Content of a body part or attachment: text, bytes, a file on disk, a
 * file of an `Io` (the seed's Barracuda I/O objects), or a stream. Files
 * and streams are never read whole.
 */
export type MailContent =
  | string
  | Uint8Array
  | { path: string }
  | { io: Io; name: string }
  | ReadableStream<Uint8Array>;

/** An attachment, or an inline image of the HTML body (the seed's `htmlimg`). */
export interface MailAttachment {
  /** The content. */
  content: MailContent;
  /**
   * The file name shown to the reader.
   *
   * @default {the file's base name for a path, else "attachment"}
   */
  name?: string;
  /**
   * The MIME type.
   *
   * @default {"application/octet-stream"}
   */
  type?: string;
  /**
   * A description (`Content-Description`).
   *
   * @default {undefined}
   */
  description?: string;
  /**
   * For an inline image: the id the HTML refers to as `cid:<id>`.
   *
   * @default {undefined}
   */
  id?: string;
}

/** Text encodings of the seed's mail library. */
export type MailEncoding = "QUOTED" | "B64" | "8BIT" | "NONE";

/** A message (the seed's `mail:send{...}` table). */
export interface MailMessage {
  /** The sender, `Name <a@b>` or `a@b`. */
  from: string;
  /** Recipients: a list, or one string with commas. @default {[]} */
  to?: string | readonly string[];
  /** Copy recipients. @default {[]} */
  cc?: string | readonly string[];
  /** Blind copy recipients: in the envelope, never in the headers. @default {[]} */
  bcc?: string | readonly string[];
  /** Where replies go. @default {undefined} */
  replyTo?: string | readonly string[];
  /** The subject (non-ASCII becomes RFC 2047 encoded words). @default {""} */
  subject?: string;
  /** A plain text body (the seed's `body`). @default {undefined} */
  body?: string;
  /** The text body beside an HTML body (the seed's `txtbody`). @default {undefined} */
  txtbody?: string;
  /** The HTML body (the seed's `htmlbody`). @default {undefined} */
  htmlbody?: string;
  /** Images the HTML shows as `cid:<id>` (the seed's `htmlimg`). @default {[]} */
  htmlimg?: readonly MailAttachment[];
  /** Attachments. @default {[]} */
  attachments?: readonly MailAttachment[];
  /** How text parts are encoded. @default {"QUOTED"} */
  encoding?: MailEncoding;
  /** The text's character set. @default {"utf-8"} */
  charset?: string;
  /** More header fields. @default {undefined} */
  headers?: Record<string, string>;
  /** The `Date` header. @default {now} */
  date?: Date;
  /** The `Message-ID` (without angle brackets). @default {a random id at the sender's domain} */
  messageId?: string;
}

/** Options of {@linkcode messageChunks}, {@linkcode buildMessage} and {@linkcode streamMessage}. */
export interface BuildOptions {
  /**
   * 8-bit text may be sent as it is (the server offered 8BITMIME); when not,
   * `8BIT` text goes out quoted-printable instead.
   *
   * @default {true}
   */
  eightBit?: boolean;
  /**
   * Derive the MIME boundaries from this seed instead of drawing them at
   * random: with `messageId` and `date` given too, two builds of a message
   * are byte for byte the same (streamed or whole, from a file or from
   * bytes). A boundary must not occur in the content: keep the seed secret
   * from whoever writes the content.
   *
   * @default {undefined} (random boundaries)
   */
  boundarySeed?: string;
}

const encoder = new TextEncoder();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Attachments are read in pieces whose base64 fills whole 76-character lines. */
const PIECE = 57 * 1024;

/**
 * Checks what can be checked before sending (addresses, header fields,
 * names): a message refused here never leaves a half-sent DATA behind.
 *
 * @param message The message.
 * @throws {TypeError} As {@linkcode messageChunks}.
 *
 * @example
 * ```ts
 * import { checkMessage } from "@cosocket/mail";
 *
 * try {
 *   checkMessage({ from: "a@x.org", to: "b@y.org", subject: "a\r\nBcc: c@z.org" });
 * } catch (error) {
 *   console.log(error instanceof TypeError); // true
 * }
 * ```
 */
export function checkMessage(message: MailMessage): void {
  headerBlock(message);
  for (const file of [...(message.attachments ?? []), ...(message.htmlimg ?? [])]) {
    for (const value of [file.name, file.type, file.id, file.description]) {
      if (value !== undefined) checkValue(value, "an attachment field");
    }
  }
  if (message.charset !== undefined) checkValue(message.charset, "the charset");
}

/**
 * The envelope of a message: the sender and every recipient (bcc included).
 *
 * @param message The message.
 * @returns The sender's address and every recipient's, once each.
 * @throws {TypeError} For a malformed address.
 * @example Bcc is in the envelope, never in the headers
 * ```ts
 * import { envelopeOf } from "@cosocket/mail";
 *
 * console.log(envelopeOf({ from: "Bob <bob@x.org>", to: "a@y.org", bcc: "b@z.org" }).recipients); // ["a@y.org", "b@z.org"]
 * ```
 */
export function envelopeOf(
  message: MailMessage,
): { from: string; recipients: string[] } {
  const recipients = [
    ...parseAddressList(message.to ?? []),
    ...parseAddressList(message.cc ?? []),
    ...parseAddressList(message.bcc ?? []),
  ].map((mailbox) => mailbox.address);
  return {
    from: parseAddress(message.from).address,
    recipients: [...new Set(recipients)],
  };
}

/**
 * The message as RFC 5322 bytes, piece by piece: attachments from files
 * and streams are read and base64-encoded as they go, never held whole.
 *
 * @param message The message.
 * @param options Whether 8-bit text may go out as it is.
 * @returns The pieces, CRLF line ends throughout (not yet dot-stuffed).
 * @throws {TypeError} For CR or LF in a header value, name or address
 * (header injection), a bad header name, or a line over 998 octets with
 * `8BIT` or `NONE`.
 *
 * @example
 * ```ts
 * import { messageChunks } from "@cosocket/mail";
 *
 * let size = 0;
 * for await (const piece of messageChunks({ from: "a@x.org", to: "b@y.org", body: "hi" })) size += piece.length;
 * console.log(size > 100); // true
 * ```
 */
export async function* messageChunks(
  message: MailMessage,
  options?: BuildOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield encoder.encode(headerBlock(message));
  yield* bodyParts(message, options?.eightBit ?? true, boundaries(options?.boundarySeed));
}

/**
 * Builds a whole message.
 *
 * @param message The message.
 * @param options Whether 8-bit text may go out as it is.
 * @returns The bytes.
 * @throws {TypeError} As {@linkcode messageChunks}.
 *
 * @example
 * ```ts
 * import { buildMessage } from "@cosocket/mail";
 *
 * const bytes = await buildMessage({ from: "Bob <bob@x.org>", to: "Alice <alice@y.org>", subject: "Hi", body: "Hello" });
 * console.log(new TextDecoder().decode(bytes).includes("Subject: Hi")); // true
 * ```
 */
export async function buildMessage(
  message: MailMessage,
  options?: BuildOptions,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const piece of messageChunks(message, options)) {
    parts.push(piece);
    length += piece.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * The message as a stream of bytes (for a file, an upload, or any sink).
 *
 * @param message The message.
 * @param options Whether 8-bit text may go out as it is.
 * @returns The stream.
 *
 * @example
 * ```ts
 * import { streamMessage } from "@cosocket/mail";
 *
 * const text = await new Response(streamMessage({ from: "a@x.org", to: "b@y.org", body: "hi" })).text();
 * console.log(text.includes("MIME-Version: 1.0")); // true
 * ```
 */
export function streamMessage(
  message: MailMessage,
  options?: BuildOptions,
): ReadableStream<Uint8Array> {
  const pieces = messageChunks(message, options);
  return new ReadableStream({
    async pull(controller) {
      const next = await pieces.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await pieces.return();
    },
  });
}

function checkValue(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) {
    throw new TypeError(`Cannot build message: CR, LF or NUL in ${what}`);
  }
  return value;
}

function mailboxes(list: string | readonly string[]): string {
  return parseAddressList(list).map((m) =>
    m.name === "" ? m.address : `${encodeName(m.name)} <${m.address}>`
  )
    .join(", ");
}

function rfc5322Date(date: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${
    months[date.getUTCMonth()]
  } ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function headerBlock(message: MailMessage): string {
  const from = parseAddress(message.from);
  let text = "";
  text += foldHeader("From", mailboxes([message.from]));
  if (message.to !== undefined && parseAddressList(message.to).length > 0) {
    text += foldHeader("To", mailboxes(message.to));
  }
  if (message.cc !== undefined && parseAddressList(message.cc).length > 0) {
    text += foldHeader("Cc", mailboxes(message.cc));
  }
  if (message.replyTo !== undefined) {
    text += foldHeader("Reply-To", mailboxes(message.replyTo));
  }
  text += foldHeader(
    "Subject",
    encodeWords(checkValue(message.subject ?? "", "the subject")),
  );
  text += `Date: ${rfc5322Date(message.date ?? new Date())}\r\n`;
  const id = checkValue(
    message.messageId ?? `${crypto.randomUUID()}@${from.address.split("@")[1]}`,
    "the Message-ID",
  );
  text += `Message-ID: <${id}>\r\n`;
  text += "MIME-Version: 1.0\r\n";
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!TOKEN.test(name)) {
      throw new TypeError(
        `Cannot build message: header name ${JSON.stringify(name)} is not a token`,
      );
    }
    text += foldHeader(name, encodeWords(checkValue(value, `header ${name}`)));
  }
  return text;
}

type Part = AsyncGenerator<Uint8Array, void, undefined>;

/** The body: one part, or the multipart tree the seed's options call for. */
async function* bodyParts(
  message: MailMessage,
  eightBit: boolean,
  boundary: () => string,
): Part {
  const text = message.txtbody ?? message.body;
  const html = message.htmlbody;
  const images = message.htmlimg ?? [];
  const attachments = message.attachments ?? [];
  const textPart = text === undefined
    ? null
    : () => textEntity(text, "text/plain", message, eightBit);
  let htmlPart = html === undefined ? null : () => textEntity(html, "text/html", message, eightBit);
  if (htmlPart !== null && images.length > 0) {
    const inner = htmlPart;
    htmlPart = () =>
      multipart(
        boundary,
        "related",
        [inner, ...images.map((image) => () => fileEntity(image, true))],
        'type="text/html"',
      );
  }
  let main: (() => Part) | null;
  if (textPart !== null && htmlPart !== null) {
    main = () => multipart(boundary, "alternative", [textPart, htmlPart!]);
  } else main = textPart ?? htmlPart;
  if (attachments.length > 0) {
    const parts = [
      ...(main === null ? [] : [main]),
      ...attachments.map((file) => () => fileEntity(file, false)),
    ];
    yield* multipart(boundary, "mixed", parts);
    return;
  }
  if (main === null) {
    yield* textEntity("", "text/plain", message, eightBit);
    return;
  }
  yield* main();
}

/** Boundaries: random, or derived one after another from a seed. */
function boundaries(seed: string | undefined): () => string {
  if (seed === undefined) return () => `=_${crypto.randomUUID()}`;
  let count = 0;
  return () => `=_${createHash("sha256").update(`${seed}:${count++}`).digest("hex").slice(0, 36)}`;
}

async function* multipart(
  nextBoundary: () => string,
  kind: string,
  parts: (() => Part)[],
  extra?: string,
): Part {
  const boundary = nextBoundary();
  yield encoder.encode(
    `Content-Type: multipart/${kind}; boundary="${boundary}"${extra ? `; ${extra}` : ""}\r\n\r\n`,
  );
  for (const part of parts) {
    yield encoder.encode(`--${boundary}\r\n`);
    yield* part();
  }
  yield encoder.encode(`--${boundary}--\r\n`);
}

async function* textEntity(
  text: string,
  type: string,
  message: MailMessage,
  eightBit: boolean,
): Part {
  const charset = checkValue(message.charset ?? "utf-8", "the charset");
  let encoding = message.encoding ?? "QUOTED";
  if (encoding === "8BIT" && !eightBit) encoding = "QUOTED";
  let body: string;
  let transfer: string;
  switch (encoding) {
    case "B64":
      body = base64Lines(encoder.encode(crlf(text)));
      transfer = "base64";
      break;
    case "8BIT":
    case "NONE":
      body = crlf(text);
      if (!body.endsWith("\r\n")) body += "\r\n";
      for (const line of body.split("\r\n")) {
        if (encoder.encode(line).length > 998) {
          throw new TypeError(
            `Cannot build message: a line over 998 octets with encoding ${encoding}`,
          );
        }
      }
      transfer = encoding === "8BIT"
        ? "8bit"
        : isAscii(body.replaceAll("\r\n", ""))
        ? "7bit"
        : "8bit";
      break;
    default:
      body = quotedPrintable(text);
      transfer = "quoted-printable";
  }
  yield encoder.encode(
    `Content-Type: ${type}; charset=${charset}\r\nContent-Transfer-Encoding: ${transfer}\r\n\r\n`,
  );
  yield encoder.encode(body);
}

/** A file's own name for an attachment without one. */
function defaultName(content: MailContent): string {
  if (
    typeof content !== "object" || content instanceof Uint8Array ||
    content instanceof ReadableStream
  ) {
    return "attachment";
  }
  return ("path" in content ? content.path : content.name).split("/").pop()!;
}

async function* fileEntity(file: MailAttachment, inline: boolean): Part {
  const content = file.content;
  const name = checkValue(file.name ?? defaultName(content), "the attachment name");
  const type = checkValue(
    file.type ?? "application/octet-stream",
    "the attachment type",
  );
  let head = `Content-Type: ${type}; name="${encodeWords(name).replaceAll('"', "")}"\r\n` +
    "Content-Transfer-Encoding: base64\r\n" +
    `Content-Disposition: ${inline ? "inline" : "attachment"}; filename="${
      encodeWords(name).replaceAll('"', "")
    }"\r\n`;
  if (file.id !== undefined) {
    head += `Content-ID: <${checkValue(file.id, "the content id")}>\r\n`;
  }
  if (file.description !== undefined) {
    head += foldHeader(
      "Content-Description",
      encodeWords(checkValue(file.description, "the description")),
    );
  }
  yield encoder.encode(head + "\r\n");
  for await (const piece of pieces(content)) {
    yield encoder.encode(base64Lines(piece));
  }
}

/** Content in pieces of a multiple of 57 bytes (whole base64 lines), the last one shorter. */
async function* pieces(
  content: MailContent,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (typeof content === "string") {
    yield* slices(encoder.encode(content));
    return;
  }
  if (content instanceof Uint8Array) {
    yield* slices(content);
    return;
  }
  const stream = content instanceof ReadableStream
    ? content
    : "io" in content
    ? ioReadable(content.io.open(content.name, "r"), { pieceSize: PIECE })
    : (await Deno.open(content.path)).readable;
  let carry = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = carry.length === 0 ? chunk : concat(carry, chunk);
    const whole = joined.length - (joined.length % 57);
    if (whole > 0) yield joined.slice(0, whole);
    carry = joined.slice(whole);
  }
  if (carry.length > 0) yield carry;
}

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += PIECE) {
    yield bytes.subarray(at, at + PIECE);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
