import { toSocketError } from "./_conn.ts";
import { SocketError } from "./socket_error.ts";

/** A datagram as a UDP socket's `read` returns it with its sender (`Datagram`). */
interface Received {
  data: Uint8Array;
  address: string;
  port: number;
}

/**
 * The UDP part of a socket: the endpoint, its peer when connected, and the
 * one receive in flight. A receive that timed out stays in flight: the
 * datagram it brings goes to the next read.
 */
export class DatagramEndpoint {
  readonly conn: Deno.DatagramConn;
  /** The peer of a connected UDP socket, or `null`. */
  readonly peer: Deno.NetAddr | null;
  #receiving: Promise<Received | null> | null = null;
  /** A receive is waiting for its caller (the socket refuses a second one). */
  waiting = false;
  #closed = false;

  constructor(conn: Deno.DatagramConn, peer: Deno.NetAddr | null) {
    this.conn = conn;
    this.peer = peer;
  }

  /** The receive in flight, if any (for waiting until everything settled). */
  get receiving(): Promise<Received | null> | null {
    return this.#receiving;
  }

  /** The receive in flight, started if there is none. */
  receive(): Promise<Received | null> {
    return this.#receiving ??= this.#receiveOnce();
  }

  /** The receive in flight was handed to a reader: the next read starts another. */
  taken(): void {
    this.#receiving = null;
  }

  /**
   * Sends a datagram.
   *
   * @param bytes The datagram.
   * @param to Its recipient.
   * @returns A promise that settles once it was sent.
   * @throws {SocketError} `closed` after close, or what the platform says.
   */
  async send(bytes: Uint8Array, to: Deno.NetAddr): Promise<void> {
    if (this.#closed) throw new SocketError("closed", "Cannot send datagram: socket is closed");
    try {
      await this.conn.send(bytes, to);
    } catch (error) {
      throw toSocketError(error, "send datagram");
    }
  }

  /** Closes the endpoint; a receive in flight ends with `null`. */
  close(): void {
    this.#closed = true;
    this.conn.close();
  }

  async #receiveOnce(): Promise<Received | null> {
    const buffer = new Uint8Array(65536);
    while (true) {
      let received: [Uint8Array, Deno.Addr];
      try {
        received = await this.conn.receive(buffer);
      } catch (error) {
        if (this.#closed) return null;
        throw toSocketError(error, "read from socket");
      }
      const [data, from] = received;
      const sender = from as Deno.NetAddr;
      const peer = this.peer;
      // A connected UDP socket hears only its peer, as connect(2) makes it.
      if (peer !== null && (peer.port !== sender.port || peer.hostname !== sender.hostname)) {
        continue;
      }
      return { data: data.slice(), address: sender.hostname, port: sender.port };
    }
  }
}
