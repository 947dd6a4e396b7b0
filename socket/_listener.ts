import { countBackoff, isTemporaryAcceptError, nextBackoff } from "./_accept_backoff.ts";
import { setNoDelay, toSocketError } from "./_conn.ts";
import type { SocketError } from "./socket_error.ts";

/**
 * The listening part of a socket: the platform's listener and the one
 * accept in flight. An accept that timed out stays in flight: the connection
 * it brings goes to the next accept. Temporary failures (out of descriptors
 * or buffers) are reported and waited out, never thrown: see
 * `_accept_backoff.ts`.
 */
export class ListenerEndpoint {
  readonly listener: Deno.Listener;
  #accepting: Promise<Deno.Conn | null> | null = null;
  /** An accept is waiting for its caller (the socket refuses a second one). */
  waiting = false;
  #onAcceptError: ((error: SocketError) => void) | null;
  #noDelay: boolean;
  #closed = false;

  constructor(
    listener: Deno.Listener,
    onAcceptError: ((error: SocketError) => void) | null,
    noDelay: boolean,
  ) {
    this.listener = listener;
    this.#onAcceptError = onAcceptError;
    this.#noDelay = noDelay;
  }

  /** The accept in flight, if any (for waiting until everything settled). */
  get accepting(): Promise<Deno.Conn | null> | null {
    return this.#accepting;
  }

  /** The accept in flight, started if there is none; `null` once closed. */
  accept(): Promise<Deno.Conn | null> {
    // Bound once per listener: a connection costs one derived promise here,
    // not an async function's state.
    return this.#accepting ??= this.listener.accept().then(this.#accepted, this.#retry);
  }

  /** The accept in flight was handed to a caller: the next accept starts another. */
  taken(): void {
    this.#accepting = null;
  }

  /** Closes the listener; an accept in flight ends with `null`. */
  close(): void {
    this.#closed = true;
    this.listener.close();
  }

  #accepted = (conn: Deno.Conn): Deno.Conn => {
    if (this.#noDelay) setNoDelay(conn);
    return conn;
  };

  #retry = async (error: unknown): Promise<Deno.Conn | null> => {
    let backoff = 0;
    while (true) {
      if (this.#closed) return null;
      const failure = toSocketError(error, "accept on socket");
      if (!isTemporaryAcceptError(error)) throw failure;
      countBackoff();
      this.#report(failure);
      backoff = nextBackoff(backoff);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      // close() may have run while this accept waited.
      if (this.#closed) return null;
      try {
        return this.#accepted(await this.listener.accept());
      } catch (next) {
        error = next;
      }
    }
  };

  #report(failure: SocketError): void {
    const report = this.#onAcceptError;
    if (report === null) return;
    try {
      report(failure);
    } catch (error) {
      // A failing callback must not end the listener either.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
