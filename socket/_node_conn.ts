import { connect as netConnect, type Socket as NodeSocket } from "node:net";
import type { StreamConn } from "./_conn.ts";

/**
 * A TCP connection made through `node:net`, the one API in Deno that can
 * bind the local address before connecting (the seed's `intf` option).
 */
class NodeConn implements StreamConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  #socket: NodeSocket;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(socket: NodeSocket) {
    this.#socket = socket;
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: socket.localAddress ?? "",
      port: socket.localPort ?? 0,
    };
    socket.pause();
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      socket.pause();
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (error: Error) => {
      this.#error = error;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== null) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#socket.resume();
      });
    }
    const chunk = this.#chunks[0]!;
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(count);
    return count;
  }

  write(data: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#socket.write(data, (error) => error ? reject(error) : resolve(data.length));
    });
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#notify();
  }
}

/** Connects from `localAddress` to `host:port`. */
export function connectFrom(
  host: string,
  port: number,
  localAddress: string,
  options: { signal: AbortSignal; noDelay: boolean },
): Promise<StreamConn> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, localAddress, ...options });
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(new NodeConn(socket));
    });
    socket.once("error", (error) => {
      socket.destroy();
      reject(error);
    });
  });
}
