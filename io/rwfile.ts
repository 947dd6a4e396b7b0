import type { Io } from "./io.ts";
import { IoError } from "./io_error.ts";

/** Reads a whole file of an I/O. */
async function readAll(io: Io, name: string): Promise<Uint8Array> {
  await using file = await io.open(name, "r");
  const parts: Uint8Array[] = [];
  let length = 0;
  let piece;
  while ((piece = await file.read(65536)) !== null) {
    parts.push(piece);
    length += piece.length;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Writes a whole file so that a crash leaves either the old or the new
 * content, never a mix: into a temporary file beside it, flushed to the
 * medium, then renamed over the name. An I/O without `rename` is written
 * in place (and says so: nothing atomic can be promised there).
 */
async function writeAll(io: Io, name: string, data: Uint8Array): Promise<void> {
  if (io.rename === undefined) {
    await using file = await io.open(name, "w");
    await file.write(data);
    await file.flush();
    return;
  }
  const slash = name.lastIndexOf("/");
  const temporary = `${name.slice(0, slash + 1)}.${
    name.slice(slash + 1)
  }.${crypto.randomUUID()}.tmp`;
  try {
    const file = await io.open(temporary, "w");
    try {
      await file.write(data);
      await file.flush();
    } finally {
      await file.close();
    }
    await io.rename(temporary, name);
  } catch (error) {
    await io.remove(temporary).catch(() => {});
    throw error;
  }
}

function json(io: Io, name: string): Promise<unknown>;
function json(io: Io, name: string, value: unknown): Promise<void>;
async function json(
  io: Io,
  name: string,
  ...value: unknown[]
): Promise<unknown> {
  if (value.length === 0) {
    const text = new TextDecoder().decode(await readAll(io, name));
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new IoError(
        "ioerror",
        `Cannot read JSON from ${JSON.stringify(name)}: ${(error as Error).message}`,
        name,
        {
          cause: error,
        },
      );
    }
  }
  const text = JSON.stringify(value[0]);
  if (text === undefined) {
    throw new TypeError(
      `Cannot write JSON to ${JSON.stringify(name)}: the value has no JSON form`,
    );
  }
  await writeAll(io, name, new TextEncoder().encode(text));
  return undefined;
}

function file(io: Io, name: string): Promise<Uint8Array>;
function file(io: Io, name: string, data: Uint8Array | string): Promise<void>;
async function file(
  io: Io,
  name: string,
  data?: Uint8Array | string,
): Promise<Uint8Array | void> {
  if (data === undefined) return await readAll(io, name);
  await writeAll(
    io,
    name,
    typeof data === "string" ? new TextEncoder().encode(data) : data,
  );
}

/**
 * The seed's `rwfile` module: read or write a whole file, or a JSON file,
 * through any {@linkcode Io}. Writes are atomic where the I/O can rename
 * (disk, memory): a temporary file beside the target, fsynced, renamed
 * over it, the directory synced, so a crash never leaves a torn file.
 *
 * - `rwfile.json(io, name)` reads and parses; `rwfile.json(io, name, value)` writes.
 * - `rwfile.file(io, name)` reads the bytes; `rwfile.file(io, name, data)` writes.
 *
 * Failures are `IoError`s (`notfound`, `noaccess`, ... and `ioerror` for
 * JSON that does not parse); a value without a JSON form is a `TypeError`.
 *
 * @example Keep a configuration file
 * ```ts
 * import { diskIo, rwfile } from "@cosocket/io";
 *
 * const dir = await Deno.makeTempDir();
 * const io = diskIo(dir);
 * await rwfile.json(io, "settings.json", { color: "blue", gradient: "linear" });
 * console.log(await rwfile.json(io, "settings.json")); // { color: "blue", gradient: "linear" }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const rwfile: Rwfile = { json, file };

/** The shape of {@linkcode rwfile}: two functions that read or write. */
export interface Rwfile {
  /**
   * Reads and parses a JSON file.
   *
   * @param io The I/O.
   * @param name The file's name.
   * @returns The parsed value.
   * @throws {IoError} `notfound`, `noaccess`, ..., `ioerror` for bad JSON.
   */
  json(io: Io, name: string): Promise<unknown>;
  /**
   * Writes a value as JSON, atomically where the I/O can rename.
   *
   * @param io The I/O.
   * @param name The file's name.
   * @param value The value.
   * @returns Resolves once the file is durable.
   * @throws {TypeError} For a value without a JSON form.
   * @throws {IoError} When the file cannot be written.
   */
  json(io: Io, name: string, value: unknown): Promise<void>;
  /**
   * Reads a whole file.
   *
   * @param io The I/O.
   * @param name The file's name.
   * @returns The bytes.
   * @throws {IoError} `notfound`, `noaccess`, ...
   */
  file(io: Io, name: string): Promise<Uint8Array>;
  /**
   * Writes a whole file, atomically where the I/O can rename.
   *
   * @param io The I/O.
   * @param name The file's name.
   * @param data The bytes (a string as UTF-8).
   * @returns Resolves once the file is durable.
   * @throws {IoError} When the file cannot be written.
   */
  file(io: Io, name: string, data: Uint8Array | string): Promise<void>;
}
