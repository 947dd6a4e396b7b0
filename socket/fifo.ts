import { toSocketError } from "./_conn.ts";
import { lazy } from "./_operation.ts";
import { getsock } from "./getsock.ts";
import type { Operation } from "./operation.ts";
import { internals, type Socket } from "./socket.ts";
import { SocketError } from "./socket_error.ts";

/**
 * Creates a named pipe (FIFO) at `path`, through libc's `mkfifo` (Deno has
 * no API for it). Needs `--allow-ffi` and `--allow-write`.
 *
 * @param path Where to create it.
 * @param mode The permission bits (before the umask).
 * @throws {SocketError} `io` when the pipe cannot be created (it exists,
 * the folder is missing, access is denied).
 *
 * @example
 * ```ts
 * import { mkfifo } from "@cosocket/socket";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.remove(path);
 * mkfifo(path);
 * console.log(Deno.statSync(path).isFifo); // true
 * await Deno.remove(path);
 * ```
 */
export function mkfifo(path: string, mode?: number): void {
  mode ??= 0o600;
  const libc = Deno.dlopen("libc.so.6", {
    mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
  });
  try {
    const result = libc.symbols.mkfifo(new TextEncoder().encode(`${path}\0`), mode);
    if (result !== 0) {
      throw new SocketError("io", `Cannot create named pipe "${path}": mkfifo failed`);
    }
  } finally {
    libc.close();
  }
}

/** Options of {@linkcode openFifo}. */
export interface OpenFifoOptions {
  /**
   * Open the pipe's writing end instead of its reading end.
   *
   * @default {false}
   */
  write?: boolean;
}

/**
 * Opens one end of a named pipe as a socket, so a cosocket can read or
 * write it like a connection (`read` returns `null` when the last writer
 * closes). Opening waits until the other end is opened too, as `open(2)`
 * does on a FIFO. Inside a cosocket whose socket is not connected, it opens
 * that very socket.
 *
 * @param path The named pipe.
 * @param options Which end.
 * @returns The socket.
 * @throws {SocketError} `io` when the path cannot be opened,
 * `incorrectuse` when the cosocket's socket is already connected.
 *
 * @example
 * ```ts
 * import { mkfifo, openFifo } from "@cosocket/socket";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.remove(path);
 * mkfifo(path);
 * const [reader, writer] = await Promise.all([
 *   openFifo(path),
 *   openFifo(path, { write: true }),
 * ]);
 * await writer.write("through the pipe");
 * writer.close();
 * console.log(new TextDecoder().decode((await reader.read())!));
 * reader.close();
 * await Deno.remove(path);
 * ```
 */
export function openFifo(path: string, options?: OpenFifoOptions): Operation<Socket> {
  options ??= {};
  return lazy(async () => {
    const target = getsock();
    if (target !== null && !internals.isUnconnected(target)) {
      throw new SocketError(
        "incorrectuse",
        "Cannot open named pipe: the cosocket's socket is already connected",
      );
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, options.write ? { write: true } : { read: true });
    } catch (error) {
      throw toSocketError(error, `open named pipe "${path}"`);
    }
    const socket = target ?? internals.create();
    internals.attachStream(socket, {
      conn: pipeConn(file),
      remote: { address: path, port: 0, ipv6: false },
      local: { address: path, port: 0, ipv6: false },
    });
    return socket;
  });
}

/**
 * A named pipe as a stream: one direction only, so there is no write side to
 * close on its own; closing the pipe is what ends the reader's stream.
 */
function pipeConn(file: Deno.FsFile) {
  return {
    read: (buffer: Uint8Array) => file.read(buffer),
    write: (data: Uint8Array) => file.write(data),
    close: () => file.close(),
    closeWrite: () =>
      Promise.reject(
        new SocketError(
          "incorrectuse",
          "Cannot close the write side of a named pipe: close() the pipe to end the stream",
        ),
      ),
  };
}
