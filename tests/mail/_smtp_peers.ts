// smtp-server's callbacks are typed loosely here: its type definitions are stricter than the tests need.
// deno-lint-ignore-file no-explicit-any
// npm smtp-server running inside this Deno process, as the SMTP peer of the mail tests:
// implicit TLS or STARTTLS, AUTH PLAIN/LOGIN/CRAM-MD5, recipients refused on request,
// a connection dropped in the middle of DATA on request. Every message is kept whole.
import { SMTPServer } from "npm:smtp-server@3.21.6";
import { certs } from "../socket/_helpers.ts";

/** A message the server received. */
export interface Received {
  from: string;
  to: string[];
  raw: Uint8Array;
  user: string | null;
  secure: boolean;
  /** The parameters of MAIL FROM (`BODY`, `SMTPUTF8`, ...), upper-cased names. */
  mailArgs: Record<string, string | boolean>;
}

/** Options of {@linkcode smtpServer}. */
export interface SmtpServerOptions {
  secure?: boolean;
  authOptional?: boolean;
  authMethods?: string[];
  refuse?: string[];
  hideStarttls?: boolean;
  hide8BitMime?: boolean;
  disabledCommands?: string[];
}

export interface SmtpPeer extends AsyncDisposable {
  port: number;
  messages: Received[];
  connections: number;
}

export async function smtpServer(options: SmtpServerOptions = {}): Promise<SmtpPeer> {
  const messages: Received[] = [];
  const peer = { port: 0, messages, connections: 0 } as SmtpPeer;
  // The options are typed loosely: @types/smtp-server's callbacks are stricter than needed here.
  const serverOptions: any = {
    secure: options.secure ?? false,
    key: certs.key,
    cert: certs.cert,
    logger: false,
    authOptional: options.authOptional ?? false,
    authMethods: options.authMethods ?? ["PLAIN", "LOGIN", "CRAM-MD5"],
    allowInsecureAuth: true,
    hideSTARTTLS: options.hideStarttls ?? false,
    hide8BITMIME: options.hide8BitMime ?? false,
    disabledCommands: options.disabledCommands ?? [],
    size: 256 * 1024 * 1024,
    onConnect(_session: unknown, callback: () => void) {
      peer.connections++;
      callback();
    },
    onAuth(
      auth: any,
      _session: unknown,
      callback: (error: Error | null, result?: unknown) => void,
    ) {
      const ok = auth.method === "CRAM-MD5"
        ? auth.validatePassword("secret")
        : auth.username === "bob" && auth.password === "secret";
      if (ok && auth.username === "bob") callback(null, { user: "bob" });
      else callback(new Error("Invalid username or password"));
    },
    onRcptTo(address: any, _session: unknown, callback: (error?: Error) => void) {
      if (options.refuse?.includes(address.address)) {
        const error = new Error("No such user here") as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
      } else callback();
    },
    onData(stream: any, session: any, callback: (error?: Error | null) => void) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      stream.on("data", (chunk: Uint8Array) => {
        chunks.push(chunk);
        size += chunk.length;
      });
      stream.on("end", () => {
        const raw = new Uint8Array(size);
        let at = 0;
        for (const chunk of chunks) {
          raw.set(chunk, at);
          at += chunk.length;
        }
        messages.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r: { address: string }) => r.address),
          raw,
          user: session.user ?? null,
          secure: session.secure,
          mailArgs: session.envelope.mailFrom.args || {},
        });
        callback(null);
      });
    },
  };
  const server: any = new SMTPServer(serverOptions);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  peer.port = server.server.address().port;
  peer[Symbol.asyncDispose] = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}
