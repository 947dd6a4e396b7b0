/**
 * Pluggable I/O (the seed's I/O objects and LuaIo): one {@linkcode Io}
 * interface for everything that reads or writes files, with
 * {@linkcode diskIo} (jailed to its root), {@linkcode memoryIo} and
 * {@linkcode createIo} (an I/O written by the user), and the seed's
 * {@linkcode rwfile} with crash-safe writes.
 *
 * ```ts
 * import { diskIo, memoryIo, rwfile } from "@cosocket/io";
 *
 * // The same code against the disk and against memory.
 * const dir = await Deno.makeTempDir();
 * for (const io of [diskIo(dir), memoryIo()]) {
 *   await rwfile.json(io, "state.json", { count: 1 });
 *   const state = (await rwfile.json(io, "state.json")) as { count: number };
 *   await rwfile.json(io, "state.json", { count: state.count + 1 });
 *   console.log(await rwfile.json(io, "state.json")); // { count: 2 }
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./create_io.ts";
export * from "./disk_io.ts";
export * from "./io.ts";
export * from "./io_error.ts";
export * from "./io_readable.ts";
export * from "./memory_io.ts";
export * from "./rwfile.ts";
