import {
  connect,
  ensure,
  type Operation,
  operation,
  type Socket,
  SocketError,
  type Suspension,
  type TlsClientOptions,
  until,
} from "@cosocket/socket";
import { createHmac } from "node:crypto";
import {
  buildMessage,
  checkMessage,
  envelopeOf,
  type MailMessage,
  messageChunks,
} from "./build_message.ts";
import { type DkimOptions, dkimSign } from "./dkim_sign.ts";
import { readReply, toSmtpError } from "./_reply.ts";
import { SmtpError, type SmtpReply } from "./smtp_error.ts";

/** Options of {@linkcode mail} (the seed's `socket.mail{...}` table). */
export interface MailOptions {
  /** The server's host name, or an already open socket (a proxy tunnel, seed "Sending E-Mails Via a Proxy"). */
  server: string | Socket;
  /**
   * The port.
   *
   * @default {465 with implicit TLS, 587 with STARTTLS, 25 without TLS}
   */
  port?: number;
  /** The user name for AUTH. @default {undefined} (no authentication) */
  user?: string;
  /** The password for AUTH. @default {""} */
  password?: string;
  /**
   * TLS from the first byte (the seed's `shark`): `true` for the platform's
   * trust, options for CA certificates, `false` for a plaintext connection.
   *
   * @default {true}
   */
  tls?: boolean | TlsClientOptions;
  /**
   * Start in plaintext and upgrade with STARTTLS (the seed's `starttls`).
   *
   * @default {false}
   */
  starttls?: boolean;
  /**
   * Allow AUTH over a connection that is not encrypted.
   *
   * @default {false}
   */
  allowPlaintextAuth?: boolean;
  /**
   * The AUTH mechanism; by default the best the server offers.
   *
   * @default {undefined}
   */
  authMethod?: "PLAIN" | "LOGIN" | "CRAM-MD5";
  /**
   * The name this client gives in EHLO.
   *
   * @default {"localhost"}
   */
  name?: string;
  /**
   * The longest wait for each reply, in milliseconds.
   *
   * @default {30000}
   */
  timeout?: number;
  /**
   * Sign every message with DKIM. A signed message is built whole before
   * it is sent (its body hash comes first), so large attachments cost
   * their size in memory here.
   *
   * @default {undefined}
   */
  dkim?: DkimOptions;
}

/** What happened to one message. */
export interface SendResult {
  /** The recipients the server accepted. */
  accepted: string[];
  /** The recipients it refused, with its reply. */
  rejected: { address: string; reply: SmtpReply }[];
  /** The server's final reply to the message. */
  reply: SmtpReply;
}

const encoder = new TextEncoder();
const END_OF_DATA = encoder.encode(".\r\n");
const CRLF = encoder.encode("\r\n");
const GATHER = 64 * 1024;

function join(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * An SMTP client (the seed's simplified mail library): connects on the
 * first `send`, keeps the connection for the next ones (RSET between),
 * pipelines the envelope when the server offers PIPELINING, and says
 * QUIT when closed, when disposed, or when the cosocket that used it ends
 * (even halted). Every call works awaited and with `yield*` in a cosocket.
 *
 * @example Several messages over one connection, in a cosocket
 * ```ts
 * import { mail } from "@cosocket/mail";
 * import { bind, run, type Socket } from "@cosocket/socket";
 *
 * await using sink = bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
 *   const sock = (yield* listener.accept())!;
 *   yield* sock.write("220 sink\r\n");
 *   let line;
 *   while ((line = yield* sock.readLine()) !== null) {
 *     if (line === "DATA") {
 *       yield* sock.write("354 go ahead\r\n");
 *       while ((yield* sock.readLine()) !== ".");
 *     }
 *     yield* sock.write(line === "QUIT" ? "221 bye\r\n" : "250 ok\r\n");
 *   }
 * });
 * const client = mail({ server: "127.0.0.1", port: sink.sockname().port, tls: false });
 * const sent = await run(function* () {
 *   let count = 0;
 *   for (const to of ["a@example.org", "b@example.org"]) {
 *     yield* client.send({ from: "bob@example.com", to, body: "hi" });
 *     count++;
 *   }
 *   return count; // the cosocket's teardown says QUIT
 * });
 * console.log(sent, client.connected); // 2 false
 * ```
 */
export class SmtpClient implements AsyncDisposable {
  readonly #options: MailOptions;
  #socket: Socket | null = null;
  #capabilities = new Map<string, string>();
  #dirty = false;
  #tied = false;

  /** @internal Made by {@linkcode mail}. */
  constructor(options: MailOptions) {
    this.#options = options;
  }

  /** The extensions the server offered in its last EHLO reply, by keyword. */
  get capabilities(): ReadonlyMap<string, string> {
    return this.#capabilities;
  }

  /** `true` while a connection is open. */
  get connected(): boolean {
    return this.#socket !== null;
  }

  /**
   * Sends a message (the seed's `mail:send`).
   *
   * @param message The message.
   * @returns The per-recipient outcome and the server's reply.
   * @throws {SmtpError} `reply` when the server refuses the sender, every
   * recipient or the message; `auth`, `tls`, `timeout`, `closed`, `protocol`.
   * @throws {TypeError} For CR or LF in an address or header (injection).
   */
  send(message: MailMessage): Operation<SendResult> {
    return operation(() => this.#send(message));
  }

  /**
   * Says QUIT and closes the connection (waits at most the timeout).
   *
   * @returns Resolves once closed; never rejects.
   */
  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null) return;
    try {
      await socket.write("QUIT\r\n");
      await readReply(socket, Math.min(this.#timeout, 5000));
    } catch {
      // The server may already be gone: the connection closes either way.
    } finally {
      await socket.close();
    }
  }

  /** Closes the client (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  get #timeout(): number {
    return this.#options.timeout ?? 30000;
  }

  *#send(message: MailMessage): Generator<Suspension, SendResult> {
    const { from, recipients } = envelopeOf(message);
    checkMessage(message);
    if (recipients.length === 0) {
      throw new TypeError("Cannot send: the message has no recipient");
    }
    const socket = yield* this.#open();
    try {
      if (this.#dirty) yield* this.#command(socket, "RSET", [250]);
      this.#dirty = true;
      const eightBit = this.#capabilities.has("8BITMIME");
      const utf8 = !/^[\x20-\x7e]*$/.test(from + recipients.join(""));
      if (utf8 && !this.#capabilities.has("SMTPUTF8")) {
        throw new SmtpError(
          "incorrectuse",
          "Cannot send: non-ASCII addresses need SMTPUTF8, which the server does not offer",
        );
      }
      let mailFrom = `MAIL FROM:<${from}>`;
      if (eightBit && message.encoding === "8BIT") mailFrom += " BODY=8BITMIME";
      if (utf8) mailFrom += " SMTPUTF8";
      const commands = [
        mailFrom,
        ...recipients.map((to) => `RCPT TO:<${to}>`),
        "DATA",
      ];
      for (const line of commands) checkCommand(line);
      const replies: SmtpReply[] = [];
      if (this.#capabilities.has("PIPELINING")) {
        yield* write(socket, commands.map((line) => `${line}\r\n`).join(""));
        for (let i = 0; i < commands.length; i++) {
          replies.push(yield* readReply(socket, this.#timeout));
        }
      } else {
        for (const line of commands) {
          yield* write(socket, `${line}\r\n`);
          const reply = yield* readReply(socket, this.#timeout);
          replies.push(reply);
          // Without pipelining, stop at the first refusal that ends the transaction.
          if (line === mailFrom && reply.code >= 400) break;
        }
      }
      const mailReply = replies[0]!;
      if (mailReply.code >= 400) {
        throw replyError(
          "Cannot send: the server refused the sender",
          mailReply,
        );
      }
      const accepted: string[] = [];
      const rejected: SendResult["rejected"] = [];
      recipients.forEach((address, i) => {
        const reply = replies[1 + i];
        if (reply !== undefined && reply.code < 400) accepted.push(address);
        else if (reply !== undefined) rejected.push({ address, reply });
      });
      const dataReply = replies[1 + recipients.length];
      if (accepted.length === 0) {
        if (dataReply?.code === 354) {
          // A server that accepts DATA without recipients: end it empty.
          yield* write(socket, ".\r\n");
          yield* readReply(socket, this.#timeout);
        }
        throw replyError(
          "Cannot send: the server refused every recipient",
          rejected[0]?.reply ?? mailReply,
        );
      }
      if (dataReply === undefined || dataReply.code !== 354) {
        throw replyError(
          "Cannot send: the server refused DATA",
          dataReply ?? mailReply,
        );
      }
      yield* this.#data(socket, message, eightBit);
      const reply = yield* readReply(socket, this.#timeout);
      if (reply.code >= 400) {
        throw replyError("Cannot send: the server refused the message", reply);
      }
      this.#dirty = false;
      return { accepted, rejected, reply };
    } catch (error) {
      // Anything but a refusal leaves the connection in an unknown state (a
      // DATA half sent, a reply not read): the next send starts afresh.
      const lost = !(error instanceof SmtpError) || error.code === "closed" ||
        error.code === "timeout" || error.code === "protocol";
      if (lost) {
        this.#socket = null;
        socket.close();
      }
      throw error;
    }
  }

  /** Streams the message, dot-stuffed, then the end-of-data line. */
  *#data(
    socket: Socket,
    message: MailMessage,
    eightBit: boolean,
  ): Generator<Suspension, void> {
    const dkim = this.#options.dkim;
    const pieces = dkim === undefined ? messageChunks(message, { eightBit }) : (async function* () {
      yield await dkimSign(await buildMessage(message, { eightBit }), dkim);
    })();
    let lineStart = true;
    let lastWasCr = false;
    // Small pieces are gathered into writes of up to 64 KiB: many small
    // writes meet Nagle's algorithm and delayed ACKs (40 ms each).
    let gathered: Uint8Array[] = [];
    let size = 0;
    const flush = function* (): Generator<Suspension, void> {
      if (size === 0) return;
      const joined = gathered.length === 1 ? gathered[0]! : join(gathered, size);
      gathered = [];
      size = 0;
      yield* write(socket, joined);
    };
    try {
      while (true) {
        const next = yield* until(pieces.next());
        if (next.done) break;
        const { bytes, atLineStart, endedWithCr } = dotStuff(next.value, lineStart, lastWasCr);
        lineStart = atLineStart;
        lastWasCr = endedWithCr;
        gathered.push(bytes);
        size += bytes.length;
        if (size >= GATHER) yield* flush();
      }
    } finally {
      yield* until(pieces.return());
    }
    if (!lineStart) {
      gathered.push(CRLF);
      size += 2;
    }
    gathered.push(END_OF_DATA);
    size += END_OF_DATA.length;
    yield* flush();
  }

  /** The open connection: connects, reads the greeting, EHLO, STARTTLS, AUTH. */
  *#open(): Generator<Suspension, Socket> {
    if (this.#socket !== null) return this.#socket;
    const options = this.#options;
    const implicit = options.starttls !== true && options.tls !== false;
    const tls = options.tls === undefined || options.tls === true
      ? {}
      : options.tls === false
      ? {}
      : options.tls;
    let socket: Socket;
    try {
      if (typeof options.server === "string") {
        const port = options.port ??
          (implicit ? 465 : options.starttls ? 587 : 25);
        socket = yield* connect(options.server, port, {
          timeout: this.#timeout,
          detached: true,
          ...(implicit && { tls }),
        });
      } else {
        socket = options.server;
        if (implicit && !socket.secure) {
          socket = yield* socket.startTls({ ...tls, timeout: this.#timeout });
        }
      }
    } catch (error) {
      throw toSmtpError(error, "connect");
    }
    this.#socket = socket;
    let ready = false;
    try {
      const greeting = yield* readReply(socket, this.#timeout);
      if (greeting.code !== 220) {
        throw replyError("Cannot connect: the server did not greet", greeting);
      }
      yield* this.#hello(socket);
      if (options.starttls === true) {
        if (!this.#capabilities.has("STARTTLS")) {
          throw new SmtpError(
            "tls",
            "Cannot start TLS: the server does not offer STARTTLS",
          );
        }
        yield* this.#command(socket, "STARTTLS", [220]);
        try {
          // startTls refuses when bytes arrived after the 220 (a response injection).
          socket = yield* socket.startTls({ ...tls, timeout: this.#timeout });
        } catch (error) {
          throw new SmtpError(
            "tls",
            `Cannot start TLS: ${(error as Error).message}`,
            { cause: error },
          );
        }
        this.#socket = socket;
        // Everything learned before TLS is forgotten (RFC 3207 §4.2).
        yield* this.#hello(socket);
      }
      if (options.user !== undefined) yield* this.#auth(socket);
      ready = true;
    } finally {
      // A failure, or a cosocket halted before the session was ready (the
      // QUIT teardown is not tied yet): the connection goes.
      if (!ready) {
        if (this.#socket === socket) this.#socket = null;
        socket.close();
      }
    }
    yield* this.#tie();
    return socket;
  }

  /** Inside a cosocket, QUIT when it ends, even halted. */
  *#tie(): Generator<Suspension, void> {
    if (this.#tied) return;
    try {
      yield* ensure(async () => {
        this.#tied = false;
        await this.close();
      });
      this.#tied = true;
    } catch (error) {
      // Awaited from async code there is no cosocket to tie to.
      if (!(error instanceof SocketError && error.code === "incorrectuse")) {
        throw error;
      }
    }
  }

  *#hello(socket: Socket): Generator<Suspension, void> {
    const name = this.#options.name ?? "localhost";
    checkCommand(name);
    this.#capabilities = new Map();
    yield* write(socket, `EHLO ${name}\r\n`);
    const reply = yield* readReply(socket, this.#timeout);
    if (reply.code === 250) {
      for (const line of reply.text.split("\n").slice(1)) {
        const [keyword = "", ...rest] = line.trim().split(" ");
        this.#capabilities.set(keyword.toUpperCase(), rest.join(" "));
      }
      return;
    }
    yield* this.#command(socket, `HELO ${name}`, [250]);
  }

  *#auth(socket: Socket): Generator<Suspension, void> {
    const options = this.#options;
    if (!socket.secure && options.allowPlaintextAuth !== true) {
      throw new SmtpError(
        "auth",
        "Cannot authenticate: the connection is not encrypted (set allowPlaintextAuth to allow it)",
      );
    }
    const offered = (this.#capabilities.get("AUTH") ?? "").toUpperCase().split(
      /\s+/,
    );
    const order = socket.secure ? ["PLAIN", "LOGIN", "CRAM-MD5"] : ["CRAM-MD5", "PLAIN", "LOGIN"];
    const method = options.authMethod ??
      order.find((name) => offered.includes(name));
    if (method === undefined || !offered.includes(method)) {
      throw new SmtpError(
        "auth",
        `Cannot authenticate: the server offers ${offered.join(" ") || "no mechanism"}`,
      );
    }
    const user = options.user!;
    const password = options.password ?? "";
    const b64 = (text: string) => encoder.encode(text).toBase64();
    if (method === "PLAIN") {
      yield* this.#command(
        socket,
        `AUTH PLAIN ${b64(`\0${user}\0${password}`)}`,
        [235],
        "authenticate",
      );
    } else if (method === "LOGIN") {
      yield* this.#command(socket, "AUTH LOGIN", [334], "authenticate");
      yield* this.#command(socket, b64(user), [334], "authenticate");
      yield* this.#command(socket, b64(password), [235], "authenticate");
    } else {
      const challenge = yield* this.#command(
        socket,
        "AUTH CRAM-MD5",
        [334],
        "authenticate",
      );
      const decoded = new TextDecoder().decode(
        Uint8Array.fromBase64(challenge.text.trim()),
      );
      const digest = createHmac("md5", password).update(decoded).digest("hex");
      yield* this.#command(
        socket,
        b64(`${user} ${digest}`),
        [235],
        "authenticate",
      );
    }
  }

  *#command(
    socket: Socket,
    line: string,
    expected: number[],
    action = "send",
  ): Generator<Suspension, SmtpReply> {
    checkCommand(line);
    yield* write(socket, `${line}\r\n`);
    const reply = yield* readReply(socket, this.#timeout);
    if (!expected.includes(reply.code)) {
      const shown = line.startsWith("AUTH") || action === "authenticate"
        ? line.split(" ").slice(0, 2).join(" ")
        : line;
      throw replyError(
        `Cannot ${action}: the server answered ${reply.code} to ${
          shown.length > 30 ? "the credentials" : shown
        }`,
        reply,
      );
    }
    return reply;
  }
}

function* write(
  socket: Socket,
  data: string | Uint8Array,
): Generator<Suspension, void> {
  try {
    yield* socket.write(data);
  } catch (error) {
    throw toSmtpError(error, "write");
  }
}

function checkCommand(line: string): void {
  if (/[\r\n\0]/.test(line)) {
    throw new TypeError(
      "Cannot send SMTP command: CR, LF or NUL in an argument (command injection)",
    );
  }
}

function replyError(message: string, reply: SmtpReply): SmtpError {
  return new SmtpError(
    "reply",
    `${message}: ${reply.code} ${reply.text.split("\n")[0]}`,
    { reply },
  );
}

/** Doubles a dot at the start of each line (RFC 5321 §4.5.2). */
function dotStuff(
  bytes: Uint8Array,
  lineStart: boolean,
  lastWasCr: boolean,
): { bytes: Uint8Array; atLineStart: boolean; endedWithCr: boolean } {
  let dots = 0;
  let start = lineStart;
  for (let i = 0; i < bytes.length; i++) {
    if (start && bytes[i] === 0x2e) dots++;
    start = bytes[i] === 0x0a && (i > 0 ? bytes[i - 1] === 0x0d : lastWasCr);
  }
  const endedWithCr = bytes.length > 0 ? bytes[bytes.length - 1] === 0x0d : lastWasCr;
  if (dots === 0) return { bytes, atLineStart: start, endedWithCr };
  const out = new Uint8Array(bytes.length + dots);
  let o = 0;
  start = lineStart;
  for (let i = 0; i < bytes.length; i++) {
    if (start && bytes[i] === 0x2e) out[o++] = 0x2e;
    out[o++] = bytes[i]!;
    start = bytes[i] === 0x0a && (i > 0 ? bytes[i - 1] === 0x0d : lastWasCr);
  }
  return { bytes: out, atLineStart: start, endedWithCr };
}

/**
 * Creates an SMTP client (the seed's `socket.mail{...}`); it connects on
 * the first `send`.
 *
 * @param options The server, TLS, STARTTLS, credentials and timeout.
 * @returns The client.
 *
 * @example Send a message (to a tiny SMTP sink on this machine)
 * ```ts
 * import { mail } from "@cosocket/mail";
 * import { bind, type Socket } from "@cosocket/socket";
 *
 * await using sink = bind(0, { hostname: "127.0.0.1" }).event(function* (listener: Socket) {
 *   const sock = (yield* listener.accept())!;
 *   yield* sock.write("220 sink\r\n");
 *   let line;
 *   while ((line = yield* sock.readLine()) !== null) {
 *     if (line === "DATA") {
 *       yield* sock.write("354 go ahead\r\n");
 *       while ((yield* sock.readLine()) !== ".");
 *     }
 *     yield* sock.write(line === "QUIT" ? "221 bye\r\n" : "250 ok\r\n");
 *   }
 * });
 * // A real server: mail({ server: "smtp.example.com", starttls: true, user, password })
 * await using client = mail({ server: "127.0.0.1", port: sink.sockname().port, tls: false });
 * const result = await client.send({
 *   from: "Bob <bob@example.com>",
 *   to: "Alice <alice@example.org>",
 *   subject: "Hi",
 *   body: "Hello Alice",
 * });
 * console.log(result.accepted); // ["alice@example.org"]
 * ```
 */
export function mail(options: MailOptions): SmtpClient {
  return new SmtpClient(options);
}
