import { IncompleteReadError, type Socket, SocketError, type Suspension } from "@cosocket/socket";
import { SmtpError, type SmtpReply } from "./smtp_error.ts";

/** The longest reply line accepted (RFC 5321 §4.5.3.1.5 says 512). */
const MAX_LINE = 2048;
/** The most lines of one multi-line reply. */
const MAX_LINES = 200;
const LINE = /^(\d{3})([ -])(.*)$/;
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

/**
 * Reads one reply, multi-line ones (`250-...` up to `250 ...`) whole.
 *
 * @param timeout The longest wait for each line, in milliseconds.
 * @throws {SmtpError} `protocol` for a malformed or over-long reply,
 * `timeout`, `closed`.
 */
export function* readReply(
  socket: Socket,
  timeout: number,
): Generator<Suspension, SmtpReply> {
  const texts: string[] = [];
  let code = 0;
  for (let count = 0;; count++) {
    if (count >= MAX_LINES) {
      throw new SmtpError(
        "protocol",
        `Cannot read reply: more than ${MAX_LINES} lines`,
      );
    }
    let line: string | null;
    try {
      line = yield* socket.readLine({ maxLength: MAX_LINE, timeout });
    } catch (error) {
      throw toSmtpError(error, "read reply");
    }
    if (line === null) {
      throw new SmtpError(
        "closed",
        "Cannot read reply: the server closed the connection",
      );
    }
    const match = LINE.exec(line.endsWith("\r") ? line.slice(0, -1) : line);
    if (match === null) {
      throw new SmtpError(
        "protocol",
        `Cannot read reply: malformed line ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    const lineCode = Number(match[1]);
    if (code !== 0 && lineCode !== code) {
      throw new SmtpError(
        "protocol",
        `Cannot read reply: code ${lineCode} inside a ${code} reply`,
      );
    }
    code = lineCode;
    texts.push(match[3]!);
    if (match[2] === " ") break;
  }
  let enhanced = "";
  const first = ENHANCED.exec(texts[0] ?? "");
  if (first !== null && String(code)[0] === first[1]![0]) {
    enhanced = first[1]!;
    for (let i = 0; i < texts.length; i++) {
      texts[i] = texts[i]!.replace(ENHANCED, "");
    }
  }
  return { code, enhanced, text: texts.join("\n") };
}

/** Socket failures as `SmtpError`s. */
export function toSmtpError(error: unknown, action: string): SmtpError {
  if (error instanceof SmtpError) return error;
  if (error instanceof RangeError) {
    return new SmtpError(
      "protocol",
      `Cannot ${action}: a reply line is too long`,
      { cause: error },
    );
  }
  if (error instanceof IncompleteReadError) {
    return new SmtpError(
      "closed",
      `Cannot ${action}: the connection ended inside a line`,
      { cause: error },
    );
  }
  if (error instanceof SocketError) {
    const code = error.code === "timeout" ? "timeout" : error.code === "tls" ? "tls" : "closed";
    return new SmtpError(code, `Cannot ${action}: ${error.message}`, {
      cause: error,
    });
  }
  return error instanceof Error
    ? new SmtpError("protocol", `Cannot ${action}: ${error.message}`, {
      cause: error,
    })
    : new SmtpError("protocol", `Cannot ${action}: ${String(error)}`);
}
