import { createHash, createPrivateKey, type KeyObject, sign } from "node:crypto";

/** Options of {@linkcode dkimSign}. */
export interface DkimOptions {
  /** The signing domain (`d=`). */
  domain: string;
  /** The selector (`s=`): the key is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  /** The private key: PEM (PKCS#8 or PKCS#1), or a Node `KeyObject`. RSA or Ed25519. */
  privateKey: string | KeyObject;
  /**
   * The header fields to sign, those present in the message.
   *
   * @default {["from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version", "content-type"]}
   */
  headers?: readonly string[];
  /**
   * The signing time.
   *
   * @default {now}
   */
  time?: Date;
}

const DEFAULT_HEADERS = [
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "reply-to",
  "mime-version",
  "content-type",
];
const encoder = new TextEncoder();

/**
 * Signs a message with DKIM (RFC 6376; relaxed/relaxed canonicalization):
 * `rsa-sha256` for an RSA key, `ed25519-sha256` (RFC 8463) for an Ed25519
 * key. Returns the message with its `DKIM-Signature` field first.
 *
 * @param message The whole message (CRLF line ends, as `buildMessage` makes it).
 * @param options The domain, selector, key and fields to sign.
 * @returns The signed message.
 * @throws {TypeError} For a message without a header/body separator, or a
 * key that is neither RSA nor Ed25519.
 *
 * @example
 * ```ts
 * import { buildMessage, dkimSign } from "@cosocket/mail";
 * import { generateKeyPairSync } from "node:crypto";
 *
 * const { privateKey } = generateKeyPairSync("ed25519");
 * const message = await buildMessage({ from: "bob@example.com", to: "alice@example.org", body: "hi" });
 * const signed = await dkimSign(message, { domain: "example.com", selector: "mail", privateKey });
 * console.log(new TextDecoder().decode(signed).startsWith("DKIM-Signature: v=1; a=ed25519-sha256")); // true
 * ```
 */
export function dkimSign(message: Uint8Array, options: DkimOptions): Promise<Uint8Array> {
  return Promise.resolve().then(() => signNow(message, options));
}

function signNow(message: Uint8Array, options: DkimOptions): Uint8Array {
  const text = latin1(message);
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) {
    throw new TypeError("Cannot sign message: no blank line between the header and the body");
  }
  const head = text.slice(0, split + 2);
  const body = text.slice(split + 4);
  const key = typeof options.privateKey === "string"
    ? createPrivateKey(options.privateKey)
    : options.privateKey;
  const kind = key.asymmetricKeyType;
  if (kind !== "rsa" && kind !== "ed25519") {
    throw new TypeError(`Cannot sign message: a ${kind} key; DKIM takes RSA or Ed25519`);
  }
  const fields = parseFields(head);
  const wanted = (options.headers ?? DEFAULT_HEADERS).map((name) => name.toLowerCase());
  const signed: string[] = [];
  const names: string[] = [];
  for (const name of wanted) {
    // The last instance of a field is the one a verifier takes first (§5.4.2).
    const field = fields.findLast((candidate) => candidate.name === name);
    if (field === undefined) continue;
    names.push(name);
    signed.push(relaxedHeader(field.name, field.value));
  }
  const bodyHash = createHash("sha256").update(fromLatin1(relaxedBody(body))).digest("base64");
  const time = Math.floor((options.time ?? new Date()).getTime() / 1000);
  const algorithm = kind === "rsa" ? "rsa-sha256" : "ed25519-sha256";
  const tags =
    `v=1; a=${algorithm}; c=relaxed/relaxed; d=${options.domain}; s=${options.selector}; t=${time}; ` +
    `h=${names.join(":")}; bh=${bodyHash}; b=`;
  if (/[\r\n;]/.test(options.domain + options.selector)) {
    throw new TypeError("Cannot sign message: CR, LF or ; in the domain or selector");
  }
  const data = fromLatin1(signed.join("") + relaxedHeader("dkim-signature", tags).slice(0, -2));
  const signature = kind === "rsa"
    ? sign("sha256", data, key)
    : sign(null, createHash("sha256").update(data).digest(), key);
  const field = `DKIM-Signature: ${tags}${fold(signature.toString("base64"))}\r\n`;
  const out = new Uint8Array(field.length + message.length);
  out.set(encoder.encode(field));
  out.set(message, field.length);
  return out;
}

interface Field {
  name: string;
  value: string;
}

function parseFields(head: string): Field[] {
  const fields: Field[] = [];
  for (const line of head.split(/\r\n(?![ \t])/)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) });
  }
  return fields;
}

/** RFC 6376 §3.4.2. */
function relaxedHeader(name: string, value: string): string {
  const unfolded = value.replace(/\r\n(?=[ \t])/g, "").replace(/[ \t]+/g, " ").trim();
  return `${name.toLowerCase()}:${unfolded}\r\n`;
}

/** RFC 6376 §3.4.4. */
function relaxedBody(body: string): string {
  const lines = body.split("\r\n").map((line) => line.replace(/[ \t]+/g, " ").replace(/ $/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.length === 0 ? "" : lines.join("\r\n") + "\r\n";
}

function fold(base64: string): string {
  let out = "";
  for (let i = 0; i < base64.length; i += 72) {
    out += (i === 0 ? "" : "\r\n ") + base64.slice(i, i + 72);
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
