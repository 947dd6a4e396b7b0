/** Why an SMTP exchange failed. */
export type SmtpErrorCode =
  /** The server answered with an error reply (see `reply`). */
  | "reply"
  /** The server's answer did not follow the protocol (or was too long). */
  | "protocol"
  /** No answer within the timeout. */
  | "timeout"
  /** The connection ended. */
  | "closed"
  /** TLS could not be established (or STARTTLS is not offered). */
  | "tls"
  /** No offered authentication mechanism, or credentials refused over plaintext. */
  | "auth"
  /** A refused input: CR or LF in a header, address or command. */
  | "incorrectuse";

/** A server reply: `250-2.0.0 ok` lines joined. */
export interface SmtpReply {
  /** The three-digit code. */
  code: number;
  /** The enhanced status code (RFC 3463), as "2.1.5", or "". */
  enhanced: string;
  /** The text of every line, joined with "\n". */
  text: string;
}

/**
 * An SMTP failure with a stable `code` and, for `reply`, the server's
 * reply.
 *
 * @example
 * ```ts
 * import { SmtpError } from "@cosocket/mail";
 *
 * const error = new SmtpError("reply", "Cannot send: 550 no such user", {
 *   reply: { code: 550, enhanced: "5.1.1", text: "no such user" },
 * });
 * console.log(error.code, error.reply?.code); // reply 550
 * ```
 */
export class SmtpError extends Error {
  /** The stable code. */
  readonly code: SmtpErrorCode;
  /** The server's reply, for `reply`. */
  readonly reply: SmtpReply | undefined;

  /**
   * Creates the error.
   *
   * @param code The stable code.
   * @param message Sentence case, no trailing period.
   * @param options The reply and the cause.
   */
  constructor(
    code: SmtpErrorCode,
    message: string,
    options?: ErrorOptions & { reply?: SmtpReply },
  ) {
    super(
      message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "SmtpError";
    this.code = code;
    this.reply = options?.reply;
  }
}
