import type { Io, IoEntry, IoFile, IoStat } from "./io.ts";
import { IoError } from "./io_error.ts";
import { closedError } from "./_names.ts";

/** A value, or a promise of it: callbacks may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** The callbacks of an open file (the table the seed's LuaIo `open` returns). */
export interface IoFileCallbacks {
  /** The next bytes (at most `max`), or `null` at the end. */
  read?(max: number): MaybePromise<Uint8Array | string | null>;
  /** Writes bytes; `false` is an error. */
  write?(data: Uint8Array): MaybePromise<boolean | void>;
  /** Moves to `offset`; `false` is an error. */
  seek?(offset: number): MaybePromise<boolean | void>;
  /** Makes writes durable; `false` is an error. */
  flush?(): MaybePromise<boolean | void>;
  /** Closes; `false` is an error. */
  close?(): MaybePromise<boolean | void>;
}

/**
 * The callbacks of a user-written I/O (the seed's `ba.create.luaio(iofuncs)`).
 * A callback returns `null` (not found) or `false` (failed) as in the seed,
 * or throws an `IoError` with a code; a missing one is `notimplemented`.
 */
export interface IoCallbacks {
  /** Opens a resource; `null` when it does not exist. */
  open?(name: string, mode: "r" | "w"): MaybePromise<IoFileCallbacks | null>;
  /** Lists a directory; `null` when it does not exist. */
  files?(
    name: string,
  ): MaybePromise<Iterable<IoEntry> | AsyncIterable<IoEntry> | null>;
  /** Information about a resource; `null` when it does not exist. */
  stat?(name: string): MaybePromise<IoStat | null>;
  /** Creates a directory. */
  mkdir?(name: string): MaybePromise<boolean | void>;
  /** Removes a directory. */
  rmdir?(name: string): MaybePromise<boolean | void>;
  /** Removes a resource. */
  remove?(name: string): MaybePromise<boolean | void>;
  /** Renames a resource (atomically, for `rwfile`'s safe writes). */
  rename?(from: string, to: string): MaybePromise<boolean | void>;
}

/**
 * An {@linkcode Io} written by the user (the seed's LuaIo): filtering an
 * existing I/O, or a new kind (a database, an archive, an HTTP store).
 * Every failure becomes an `IoError` with the seed's codes; an exception
 * that is not one becomes `ioerror` with it as the cause.
 *
 * @param callbacks The operations the I/O supports.
 * @returns The I/O.
 *
 * @example An I/O serving generated files
 * ```ts
 * import { createIo } from "@cosocket/io";
 *
 * const io = createIo({
 *   open(name) {
 *     if (name !== "time.txt") return null;
 *     let sent = false;
 *     return { read: () => sent ? null : (sent = true, "12:00") };
 *   },
 *   stat: (name) => name === "time.txt" ? { size: 5, mtime: new Date(0), isDir: false } : null,
 * });
 * const file = await io.open("time.txt");
 * console.log(new TextDecoder().decode((await file.read())!)); // "12:00"
 * await file.close();
 * console.log(await io.stat("other")); // null
 * ```
 */
export function createIo(callbacks: IoCallbacks): Io {
  const missing = (what: string, name: string) =>
    new IoError(
      "notimplemented",
      `Cannot ${what} ${JSON.stringify(name)}: this I/O does not implement it`,
      name,
    );
  const call = async <T>(
    what: string,
    name: string,
    run: () => MaybePromise<T>,
  ): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof IoError) throw error;
      throw new IoError(
        "ioerror",
        `Cannot ${what} ${JSON.stringify(name)}: ${(error as Error).message}`,
        name,
        {
          cause: error,
        },
      );
    }
  };
  const status = async (
    what: string,
    name: string,
    run: (() => MaybePromise<boolean | void>) | undefined,
  ) => {
    if (run === undefined) throw missing(what, name);
    if ((await call(what, name, run)) === false) {
      throw new IoError(
        "ioerror",
        `Cannot ${what} ${JSON.stringify(name)}`,
        name,
      );
    }
  };
  const io: Io = {
    async open(name, mode = "r") {
      if (callbacks.open === undefined) throw missing("open", name);
      const file = await call("open", name, () => callbacks.open!(name, mode));
      if (file === null || file === undefined) {
        throw new IoError(
          "notfound",
          `Cannot open ${JSON.stringify(name)}: not found`,
          name,
        );
      }
      return userFile(file, name, call, status, missing);
    },
    async *files(name) {
      if (callbacks.files === undefined) throw missing("list", name);
      const list = await call("list", name, () => callbacks.files!(name));
      if (list === null) {
        throw new IoError(
          "notfound",
          `Cannot list ${JSON.stringify(name)}: not found`,
          name,
        );
      }
      yield* list;
    },
    async stat(name) {
      if (callbacks.stat === undefined) throw missing("stat", name);
      return (await call("stat", name, () => callbacks.stat!(name))) ?? null;
    },
    mkdir: (name) =>
      status(
        "create directory",
        name,
        callbacks.mkdir && (() => callbacks.mkdir!(name)),
      ),
    rmdir: (name) =>
      status(
        "remove directory",
        name,
        callbacks.rmdir && (() => callbacks.rmdir!(name)),
      ),
    remove: (name) =>
      status(
        "remove",
        name,
        callbacks.remove && (() => callbacks.remove!(name)),
      ),
  };
  if (callbacks.rename !== undefined) {
    io.rename = (from, to) => status("rename", from, () => callbacks.rename!(from, to));
  }
  return io;
}

function userFile(
  file: IoFileCallbacks,
  name: string,
  call: <T>(what: string, name: string, run: () => MaybePromise<T>) => Promise<T>,
  status: (
    what: string,
    name: string,
    run: (() => MaybePromise<boolean | void>) | undefined,
  ) => Promise<void>,
  missing: (what: string, name: string) => IoError,
): IoFile {
  let closed = false;
  const check = (action: string) => {
    if (closed) throw closedError(action, name);
  };
  return {
    async read(max = 65536) {
      check("read");
      if (file.read === undefined) throw missing("read", name);
      const data = await call("read", name, () => file.read!(max));
      if (data === null || data === undefined) return null;
      return typeof data === "string" ? new TextEncoder().encode(data) : data;
    },
    async write(data) {
      check("write");
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      await status("write", name, file.write && (() => file.write!(bytes)));
    },
    async seek(offset) {
      check("seek");
      await status("seek", name, file.seek && (() => file.seek!(offset)));
    },
    async flush() {
      check("flush");
      if (file.flush !== undefined) {
        await status("flush", name, () => file.flush!());
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (file.close !== undefined) {
        await status("close", name, () => file.close!());
      }
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
